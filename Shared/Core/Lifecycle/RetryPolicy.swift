import Logging

/// How a worker retries what fails for a while (the broker, Postgres or the schema registry unavailable): again
/// and again with exponential back-off up to `maxBackoff`, until it succeeds or the service shuts down. What can
/// never succeed (a `HopelessRecord`) is not retried.
public struct RetryPolicy: Sendable {
    public let maxBackoff: Duration
    let logger: Logger
    let onRetry: @Sendable () -> Void

    public init(maxBackoff: Duration, logger: Logger, onRetry: @escaping @Sendable () -> Void = {}) {
        self.maxBackoff = maxBackoff
        self.logger = logger
        self.onRetry = onRetry
    }

    /// Runs `operation` until it succeeds.
    /// - Throws: `HopelessRecord` when the failure is one retrying cannot cure; cancellation or the last error on
    ///   shutdown.
    public func run<T: Sendable>(_ what: String, _ operation: () async throws -> T) async throws -> T {
        do {
            return try await retryForever(
                what, maxBackoff: maxBackoff, logger: logger, isPermanent: { HopelessRecord($0) != nil },
                onRetry: onRetry, operation)
        } catch {
            if let hopeless = HopelessRecord(error) { throw hopeless }
            throw error
        }
    }
}
