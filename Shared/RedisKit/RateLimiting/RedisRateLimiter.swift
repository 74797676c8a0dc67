/// A sliding-window rate limiter evaluated atomically in Redis on every call (one Lua script, Redis' own clock).
///
/// Uses the sliding-window *counter* (see ``WindowCounts``): O(1) memory per key, weights (batches) are one
/// `INCRBY`, and every gateway instance shares the same budget. ``SyncedRateLimiter`` puts a local ledger in front
/// of it so that only one call per subject and sync interval reaches Redis.
public struct RedisRateLimiter: RateLimiting {
    public typealias Decision = RateLimitDecision

    private let client: RedisClient
    private let keyPrefix: String

    public init(client: RedisClient, keyPrefix: String = "ratelimit") {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    /// Takes `weight` units from `subject`'s budget of `limit` per `window`, or denies without taking any.
    public func acquire(subject: String, limit: Int, window: Duration, weight: Int = 1) async throws(RedisError) -> Decision {
        try await acquireReportingCounts(subject: subject, limit: limit, window: window, weight: weight).decision
    }

    /// ``acquire(subject:limit:window:weight:)`` that also returns the subject's counts after the decision.
    func acquireReportingCounts(subject: String, limit: Int, window: Duration, weight: Int)
        async throws(RedisError) -> (decision: Decision, counts: WindowCounts)
    {
        let (allowed, counts) = try await run(subject: subject, limit: limit, window: window, weight: weight, conditional: true)
        let (used, reset) = counts.projected(to: counts.serverMilliseconds)
        let decision = Decision(
            allowed: allowed, limit: limit, remaining: allowed ? max(0, Int((Double(limit) - used).rounded(.down))) : 0,
            resetAfterMilliseconds: allowed
                ? reset : counts.wait(toAdd: weight, limit: limit, at: counts.serverMilliseconds))
        return (decision, counts)
    }

    /// Takes `weight` units whatever the budget (they were already granted elsewhere, e.g. by a local ledger) and
    /// returns the subject's counts including them. A weight of 0 only reads the counts.
    public func add(subject: String, window: Duration, weight: Int) async throws(RedisError) -> WindowCounts {
        try await run(subject: subject, limit: 0, window: window, weight: weight, conditional: false).counts
    }

    private func run(subject: String, limit: Int, window: Duration, weight: Int, conditional: Bool)
        async throws(RedisError) -> (allowed: Bool, counts: WindowCounts)
    {
        // The hash tag keeps both window keys of a subject in one cluster slot.
        let key = "\(keyPrefix):{\(subject)}"
        let windowMilliseconds = max(1, window.milliseconds)
        let reply = try await client.evaluate(
            Self.script, keys: [key],
            arguments: [String(limit), String(windowMilliseconds), String(weight), conditional ? "1" : "0"])
        guard let values = reply.array, values.count == 5, let allowed = values[0].integer, let index = values[1].integer,
            let previous = values[2].integer, let current = values[3].integer, let now = values[4].integer
        else { throw RedisError(code: .unexpectedReply, message: "rate limit script answered \(reply)") }
        return (
            allowed == 1,
            WindowCounts(
                windowMilliseconds: windowMilliseconds, windowIndex: index, previous: previous, current: current,
                serverMilliseconds: now)
        )
    }

    /// ARGV: limit, window ms, weight, conditional ("1": deny when over the limit; "0": always add).
    /// Returns {allowed, window index, previous count, current count (after adding), now ms}.
    static let script = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local weight = tonumber(ARGV[3])
        local index = math.floor(now / window)
        local currentKey = KEYS[1] .. ':' .. index
        local previousKey = KEYS[1] .. ':' .. (index - 1)
        local current = tonumber(redis.call('GET', currentKey) or '0')
        local previous = tonumber(redis.call('GET', previousKey) or '0')
        local elapsed = now - index * window
        if ARGV[4] == '1' and previous * (window - elapsed) / window + current + weight > limit then
          return {0, index, previous, current, now}
        end
        if weight > 0 then
          current = redis.call('INCRBY', currentKey, weight)
          redis.call('PEXPIRE', currentKey, window * 2)
        end
        return {1, index, previous, current, now}
        """)
}
