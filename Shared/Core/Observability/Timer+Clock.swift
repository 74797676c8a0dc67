import Metrics

extension Metrics.Timer {
    /// Records the time elapsed since `start` on the continuous clock.
    public func record(since start: ContinuousClock.Instant) {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
