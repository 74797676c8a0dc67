import Logging
import ServiceLifecycle

/// Retries `operation` with exponential back-off and full jitter until it succeeds or the task is cancelled: for
/// work that must not be skipped (a batch whose offsets are not stored yet) while a dependency is down. Errors for
/// which `isPermanent` holds are thrown at once. Graceful shutdown ends the retrying too (the work was not committed,
/// so whoever takes over does it again) — a service never hangs on exit behind an outage.
public func retryForever<T: Sendable>(
    _ what: String, maxBackoff: Duration, logger: Logger, isPermanent: (any Error) -> Bool = { _ in false },
    onRetry: () -> Void = {}, _ operation: () async throws -> T
) async throws -> T {
    var backoff = 50.0
    let ceiling = Double(maxBackoff.components.seconds) * 1000 + Double(maxBackoff.components.attoseconds) / 1e15
    while true {
        do {
            return try await operation()
        } catch {
            if isPermanent(error) { throw error }
            if Task.isCancelled { throw CancellationError() }
            if Task.isShuttingDownGracefully { throw error }
            onRetry()
            logger.warning("\(what) failed; retrying", metadata: ["error": "\(String(reflecting: error))", "backoff_ms": "\(Int(backoff))"])
            await Task.sleepUnlessShuttingDown(for: .milliseconds(Int.random(in: Int(backoff / 2)...Int(backoff))))
            if Task.isCancelled { throw CancellationError() }
            if Task.isShuttingDownGracefully { throw error }
            backoff = min(backoff * 2, ceiling)
        }
    }
}
