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
            // `body` starts once the runner task is under way: `run()` marks the pool running before its first
            // suspension, so leases made by `body` no longer race it (PostgresNIO warns about leases before `run()`).
            let (started, signal) = AsyncStream<Void>.makeStream()
            group.addTask {
                signal.finish()
                await client.run()
                return nil
            }
            for await _ in started {}
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
