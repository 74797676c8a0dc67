/// Takes units from a subject's budget of `limit` per sliding `window`.
public protocol RateLimiting: Sendable {
    /// Takes `weight` units from `subject`'s budget, or denies without taking any.
    func acquire(subject: String, limit: Int, window: Duration, weight: Int) async throws(RedisError) -> RateLimitDecision
}

/// The outcome of one ``RateLimiting/acquire(subject:limit:window:weight:)``.
public struct RateLimitDecision: Sendable, Equatable {
    public var allowed: Bool
    public var limit: Int
    /// Units left in the window after this one (0 when denied).
    public var remaining: Int
    /// Milliseconds until the current fixed window ends and budget frees up.
    public var resetAfterMilliseconds: Int

    public init(allowed: Bool, limit: Int, remaining: Int, resetAfterMilliseconds: Int) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.resetAfterMilliseconds = resetAfterMilliseconds
    }
}

/// A subject's two fixed-window counts as Redis had them at `serverMilliseconds` (Redis' clock), from which the
/// sliding-window *counter* estimate follows: the previous window's count weighted by how much of it still overlaps
/// the sliding window, plus the current window's count.
public struct WindowCounts: Sendable, Equatable {
    public var windowMilliseconds: Int64
    /// `serverMilliseconds / windowMilliseconds`, rounded down.
    public var windowIndex: Int64
    public var previous: Int64
    public var current: Int64
    public var serverMilliseconds: Int64

    public init(windowMilliseconds: Int64, windowIndex: Int64, previous: Int64, current: Int64, serverMilliseconds: Int64) {
        self.windowMilliseconds = windowMilliseconds
        self.windowIndex = windowIndex
        self.previous = previous
        self.current = current
        self.serverMilliseconds = serverMilliseconds
    }

    /// Units used in the sliding window ending at `serverMilliseconds` (at or after the snapshot), and the
    /// milliseconds until that moment's fixed window ends. Windows that began since the snapshot start empty.
    public func projected(to serverMilliseconds: Int64) -> (used: Double, resetAfterMilliseconds: Int) {
        let now = max(serverMilliseconds, self.serverMilliseconds)
        let index = now / windowMilliseconds
        let elapsed = now - index * windowMilliseconds
        let (previous, current): (Int64, Int64)
        switch index - windowIndex {
        case 0: (previous, current) = (self.previous, self.current)
        case 1: (previous, current) = (self.current, 0)
        default: (previous, current) = (0, 0)
        }
        let overlap = Double(windowMilliseconds - elapsed) / Double(windowMilliseconds)
        return (Double(previous) * overlap + Double(current), Int(windowMilliseconds - elapsed))
    }

    /// Whether these counts were read no earlier than `other` (same subject): a later window, or the same window
    /// with at least as much counted — counts only grow within a window, whatever the two clocks say.
    func isAtLeastAsRecent(as other: WindowCounts) -> Bool {
        windowIndex != other.windowIndex ? windowIndex > other.windowIndex : current >= other.current
    }
}
