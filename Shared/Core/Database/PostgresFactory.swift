import Logging
import PostgresNIO

extension PostgresClient {
    /// A readiness probe: one trivial query through the pool.
    public func ping(logger: Logger) async throws {
        for try await _ in try await query("SELECT 1", logger: logger) {}
    }
}
