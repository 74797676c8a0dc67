/// Remembers the outcome of requests by idempotency key, so a retried request replays the first response.
///
/// A key moves `absent → pending → completed`. `pending` has a short lease so a crashed request does not block the
/// key for its whole lifetime; `completed` keeps the stored response for the full TTL. Each key is bound to a
/// fingerprint of the request (e.g. a hash of route + body): the same key with another body is a conflict.
public struct RedisIdempotencyStore: Sendable {
    public enum BeginOutcome: Sendable, Equatable {
        /// The caller owns the key now and must `complete` or `release` it.
        case started
        /// Another request with this key is still running.
        case inFlight
        /// The key was used with a different request.
        case fingerprintMismatch
        /// The first request finished; replay its response.
        case completed(status: Int, body: [UInt8])
    }

    private let client: RedisClient
    private let keyPrefix: String

    public init(client: RedisClient, keyPrefix: String = "idempotency") {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    public func begin(key: String, fingerprint: String, pendingLease: Duration) async throws(RedisError) -> BeginOutcome {
        let reply = try await client.evaluate(
            Self.beginScript, keys: [storageKey(key)], arguments: [fingerprint, String(pendingLease.milliseconds)])
        guard let values = reply.array, let state = values.first?.string else {
            throw RedisError(code: .unexpectedReply, message: "idempotency script answered \(reply)")
        }
        switch state {
        case "started": return .started
        case "in_flight": return .inFlight
        case "mismatch": return .fingerprintMismatch
        case "completed":
            guard values.count == 3, let status = values[1].integer, case .bulk(let body) = values[2] else {
                throw RedisError(code: .unexpectedReply, message: "idempotency script answered \(reply)")
            }
            return .completed(status: Int(status), body: body)
        default:
            throw RedisError(code: .unexpectedReply, message: "idempotency script answered \(reply)")
        }
    }

    /// Stores the response of a started key for `ttl`.
    public func complete(key: String, fingerprint: String, status: Int, body: [UInt8], ttl: Duration) async throws(RedisError) {
        _ = try await client.evaluate(
            Self.completeScript, keys: [storageKey(key)],
            arguments: [fingerprint, String(status), String(decoding: body, as: UTF8.self), String(ttl.milliseconds)])
    }

    /// Gives a started key back (the request failed in a way the client should retry).
    public func release(key: String, fingerprint: String) async throws(RedisError) {
        _ = try await client.evaluate(Self.releaseScript, keys: [storageKey(key)], arguments: [fingerprint])
    }

    private func storageKey(_ key: String) -> String { "\(keyPrefix):\(key)" }

    static let beginScript = RedisScript(
        """
        local state = redis.call('HGET', KEYS[1], 'state')
        if not state then
          redis.call('HSET', KEYS[1], 'state', 'pending', 'fp', ARGV[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return {'started'}
        end
        if redis.call('HGET', KEYS[1], 'fp') ~= ARGV[1] then return {'mismatch'} end
        if state == 'pending' then return {'in_flight'} end
        return {'completed', tonumber(redis.call('HGET', KEYS[1], 'status')), redis.call('HGET', KEYS[1], 'body')}
        """)

    static let completeScript = RedisScript(
        """
        if redis.call('HGET', KEYS[1], 'fp') ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'state', 'completed', 'status', ARGV[2], 'body', ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return 1
        """)

    static let releaseScript = RedisScript(
        """
        if redis.call('HGET', KEYS[1], 'state') == 'pending' and redis.call('HGET', KEYS[1], 'fp') == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """)
}
