import HTTPTypes
import Hummingbird
import Logging
import Metrics
import RedisKit

/// Per-subject rate limiting (Redis sliding window, see ``SyncedRateLimiter``) with the standard headers.
struct RequestLimiter: Sendable {
    let limiter: any RateLimiting
    let failOpen: Bool
    let logger: Logger
    private let limited = Counter(label: "gateway_rate_limited_total")
    private let redisErrors = Counter(label: "gateway_rate_limit_errors_total")

    init(limiter: any RateLimiting, failOpen: Bool, logger: Logger) {
        self.limiter = limiter
        self.failOpen = failOpen
        self.logger = logger
    }

    /// Takes `weight` from the subject's budget. Returns the `X-RateLimit-*` headers to put on the response (none
    /// when the limit is off, or Redis is down and the limiter fails open).
    /// - Throws: 429 with `Retry-After` when over the limit; 503 when Redis is down and the limiter fails closed.
    private func check(subject: String, limit: Int, windowSeconds: Int, weight: Int) async throws -> HTTPFields {
        guard limit > 0 else { return [:] }
        let decision: RateLimitDecision
        do {
            decision = try await limiter.acquire(
                subject: subject, limit: limit, window: .seconds(windowSeconds), weight: weight)
        } catch {
            redisErrors.increment()
            logger.warning("rate limiter unavailable", metadata: ["error": "\(error)", "fail_open": "\(failOpen)"])
            if failOpen { return [:] }
            throw APIError.unavailable("rate limiting is unavailable; retry later", code: "rate_limiter_unavailable", retryAfterSeconds: 1)
        }
        let resetSeconds = max(1, (decision.resetAfterMilliseconds + 999) / 1000)
        var headers = HTTPFields()
        headers.reserveCapacity(4)  // the three below, and Retry-After on a refusal
        headers.append(HTTPField(name: .rateLimitLimit, value: String(decision.limit)))
        headers.append(HTTPField(name: .rateLimitRemaining, value: String(decision.remaining)))
        headers.append(HTTPField(name: .rateLimitReset, value: String(resetSeconds)))
        guard decision.allowed else {
            limited.increment()
            var refusal = headers
            refusal[.retryAfter] = String(resetSeconds)
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: weight > 1 && weight > limit
                    ? "this batch of \(weight) events exceeds the limit of \(limit) per \(windowSeconds) s"
                    : "rate limit of \(limit) per \(windowSeconds) s exceeded",
                headers: refusal)
        }
        return headers
    }

    /// Takes `weight` from the subject's budget, then runs `operation`: the `X-RateLimit-*` headers go on whatever
    /// the request is answered with — the response, a replay, or an error thrown on the way (the budget was taken
    /// either way).
    /// - Throws: 429 with `Retry-After` when over the limit; 503 when Redis is down and the limiter fails closed;
    ///   else what `operation` throws.
    func limited(
        subject: String, limit: Int, windowSeconds: Int, weight: Int = 1, _ operation: () async throws -> Response
    ) async throws -> Response {
        let headers = try await check(subject: subject, limit: limit, windowSeconds: windowSeconds, weight: weight)
        guard !headers.isEmpty else { return try await operation() }
        do {
            var response = try await operation()
            response.headers.append(contentsOf: headers)
            return response
        } catch var error as APIError {
            error.headers.append(contentsOf: headers)
            throw error
        }
    }
}
