import Logging
import PostgresNIO

extension PostgresClient {
    /// A readiness probe: one trivial query through the pool.
    public func ping(logger: Logger) async throws {
        for try await _ in try await query("SELECT 1", logger: logger) {}
    }

    /// Runs `body` with a pool that is running for exactly as long as `body` (commands, tests, tools — services add
    /// the client to their ServiceGroup instead).
    public static func withRunning<T: Sendable>(
        configuration: PostgresClient.Configuration, logger: Logger,
        _ body: @escaping @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            // The runner starts on this thread, before `body`: `run()` marks the pool running before its first
            // suspension, so no lease made by `body` can come first (PostgresNIO warns about leases before `run()`).
            group.addImmediateTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
