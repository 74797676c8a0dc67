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
    /// Allowed: milliseconds until the current fixed window ends and budget frees up. Denied: milliseconds until the
    /// request would fit, if nothing else is taken meanwhile (``WindowCounts/wait(toAdd:beyond:limit:at:)``).
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
        let elapsed = now % windowMilliseconds
        let (previous, current) = counts(at: now)
        let overlap = Double(windowMilliseconds - elapsed) / Double(windowMilliseconds)
        return (Double(previous) * overlap + Double(current), Int(windowMilliseconds - elapsed))
    }

    /// Milliseconds from `serverMilliseconds` until `weight` more units fit under `limit` in the sliding window, with
    /// `local` units taken beyond these counts (granted, not yet counted in Redis) and nothing else taken meanwhile.
    /// A weight above the limit never fits: then the time until the window is empty.
    public func wait(toAdd weight: Int, beyond local: Int = 0, limit: Int, at serverMilliseconds: Int64) -> Int {
        let now = max(serverMilliseconds, self.serverMilliseconds)
        let window = Double(windowMilliseconds)
        let elapsed = Double(now % windowMilliseconds)
        let (previous, current) = counts(at: now)
        let taken = Double(current + Int64(local))
        let room = Double(limit - weight)
        guard room >= 0 else { return Int(window - elapsed + window) }
        // In this window the previous one's share shrinks: previous × (window − elapsed − t) / window + taken ≤ room.
        if taken <= room {
            guard previous > 0 else { return 0 }
            return max(0, Int((window - elapsed - (room - taken) * window / Double(previous)).rounded(.up)))
        }
        // Else in the next one, where this window's units are the previous ones: taken × (window − e) / window ≤ room.
        let intoNext = max(0, window - room * window / taken)
        return Int(window - elapsed) + Int(intoNext.rounded(.up))
    }

    /// The (previous, current) window counts as of `now`: windows begun since the snapshot start empty.
    private func counts(at now: Int64) -> (previous: Int64, current: Int64) {
        switch now / windowMilliseconds - windowIndex {
        case 0: (previous, current)
        case 1: (current, 0)
        default: (0, 0)
        }
    }

    /// Whether these counts were read no earlier than `other` (same subject): a later window, or the same window
    /// with at least as much counted — counts only grow within a window, whatever the two clocks say.
    func isAtLeastAsRecent(as other: WindowCounts) -> Bool {
        windowIndex != other.windowIndex ? windowIndex > other.windowIndex : current >= other.current
    }
}
