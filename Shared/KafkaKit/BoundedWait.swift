import Dispatch
import NIOConcurrencyHelpers

/// Runs blocking work on a dispatch queue and waits for it at most a given time.
///
/// For librdkafka calls that can block without a timeout of their own: the caller goes on after `limit`, the work
/// finishes (or stays blocked) on its queue.
enum BoundedWait {
    /// Its own (overcommitting) queue, so the deadline fires even while blocking work fills the global queues.
    private static let timers = DispatchQueue(label: "kafka-bounded-wait-timers")

    /// Returns `true` when `work` finished within `limit`.
    static func run(on queue: DispatchQueue, for limit: Duration, _ work: @escaping @Sendable () -> Void) async -> Bool {
        let resumed = NIOLockedValueBox(false)
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let finish: @Sendable (Bool) -> Void = { finished in
                let first = resumed.withLockedValue { resumed in
                    defer { resumed = true }
                    return !resumed
                }
                if first { continuation.resume(returning: finished) }
            }
            queue.async {
                work()
                finish(true)
            }
            timers.asyncAfter(deadline: .now() + .milliseconds(Int(limit.wholeMilliseconds))) { finish(false) }
        }
    }
}
