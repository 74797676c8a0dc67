/// A sliding-window rate limiter evaluated atomically in Redis (one Lua script, Redis' own clock).
///
/// Uses the sliding-window *counter*: the previous fixed window's count weighted by how much of it still overlaps
/// the sliding window, plus the current window's count. O(1) memory per key, weights (batches) are one `INCRBY`,
/// and every gateway instance shares the same budget.
public struct RedisRateLimiter: Sendable {
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        /// Requests left in the window after this one (0 when denied).
        public var remaining: Int
        /// Milliseconds until the current fixed window ends and budget frees up.
        public var resetAfterMilliseconds: Int
    }

    private let client: RedisClient
    private let keyPrefix: String

    public init(client: RedisClient, keyPrefix: String = "ratelimit") {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    /// Takes `weight` units from `subject`'s budget of `limit` per `window`, or denies without taking any.
    public func acquire(subject: String, limit: Int, window: Duration, weight: Int = 1) async throws(RedisError) -> Decision {
        // The hash tag keeps both window keys of a subject in one cluster slot.
        let key = "\(keyPrefix):{\(subject)}"
        let reply = try await client.evaluate(
            Self.script, keys: [key],
            arguments: [String(limit), String(max(1, window.milliseconds)), String(weight)])
        guard let values = reply.array, values.count == 3,
            let allowed = values[0].integer, let remaining = values[1].integer, let reset = values[2].integer
        else { throw RedisError(code: .unexpectedReply, message: "rate limit script answered \(reply)") }
        return Decision(allowed: allowed == 1, limit: limit, remaining: Int(remaining), resetAfterMilliseconds: Int(reset))
    }

    static let script = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local weight = tonumber(ARGV[3])
        local current = math.floor(now / window)
        local elapsed = now - current * window
        local currentKey = KEYS[1] .. ':' .. current
        local previousKey = KEYS[1] .. ':' .. (current - 1)
        local currentCount = tonumber(redis.call('GET', currentKey) or '0')
        local previousCount = tonumber(redis.call('GET', previousKey) or '0')
        local used = previousCount * (window - elapsed) / window + currentCount
        local reset = window - elapsed
        if used + weight > limit then
          return {0, 0, reset}
        end
        redis.call('INCRBY', currentKey, weight)
        redis.call('PEXPIRE', currentKey, window * 2)
        return {1, math.max(0, math.floor(limit - used - weight)), reset}
        """)
}
