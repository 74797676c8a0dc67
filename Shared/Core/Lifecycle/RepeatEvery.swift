import Logging
import ServiceLifecycle

/// The body of a periodic service (listing, housekeeping, retention): `round` every `interval` until graceful
/// shutdown or cancellation. A failed round is logged as `failure` and tried again at the next one; the pause
/// ends at once on shutdown.
public func repeatEvery(_ interval: Duration, logger: Logger, failure: String, _ round: () async throws -> Void) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        do {
            try await round()
        } catch {
            logger.warning("\(failure)", metadata: ["error": "\(error)"])
        }
        await Task.sleepUnlessShuttingDown(for: interval)
    }
}
