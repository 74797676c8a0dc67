import Shared

/// Gateway settings beyond the shared infrastructure ones. Every value has a documented default (README).
public struct GatewayConfiguration: Sendable {
    /// `GATEWAY_PORT` (8080).
    public var port: Int
    /// `ROUTES_FILE` (`routes.yaml`).
    public var routesFile: String
    /// `WEBHOOK_SECRET`: expected `X-Webhook-Secret` of the database webhooks. Unset → webhooks are refused (401),
    /// never accepted unchecked.
    public var webhookSecret: String?
    /// `GATEWAY_MAX_BODY_BYTES` (1 MiB): larger bodies get 413.
    public var maxBodyBytes: Int
    /// `GATEWAY_BATCH_MAX_EVENTS` (500).
    public var batchMaxEvents: Int
    /// `GATEWAY_RATE_LIMIT` requests per `GATEWAY_RATE_WINDOW_SECONDS` per user (600 / 60); 0 disables.
    public var rateLimit: Int
    public var rateWindowSeconds: Int
    /// `GATEWAY_WEBHOOK_RATE_LIMIT` per window per webhook source (6000).
    public var webhookRateLimit: Int
    /// `GATEWAY_RATE_LIMIT_FAIL_OPEN` (true): when Redis is down, admit (true) or refuse with 503 (false).
    public var rateLimitFailOpen: Bool
    /// `GATEWAY_RATE_LIMIT_SYNC_MS` (100): how often this process adds its grants in Redis and refreshes the counts
    /// it decides from (a subject's first request, and any after its counts are two intervals + 100 ms old, asks
    /// Redis). With several gateway processes a subject can be over-granted by what the others granted within that
    /// staleness bound. 0: ask Redis on every request (exact across processes, one round trip per request).
    public var rateLimitSyncMilliseconds: Int
    /// `GATEWAY_IDEMPOTENCY_TTL_SECONDS` (86400).
    public var idempotencyTTLSeconds: Int
    /// `GATEWAY_CORS_ORIGINS` (`*`): comma-separated allowed origins.
    public var corsOrigins: [String]
    /// `MEDIA_ALLOWED_TYPES`: the upload media-type allow-list (reference §3.6.4 list by default).
    public var mediaAllowedTypes: Set<String>
    /// `MEDIA_MAX_FILE_BYTES` (100 MiB).
    public var mediaMaxFileBytes: Int
    /// `GATEWAY_BREAKER_FAILURES` (5) consecutive broker failures open the circuit for
    /// `GATEWAY_BREAKER_COOLDOWN_MS` (2000).
    public var breakerFailureThreshold: Int
    public var breakerCooldownMilliseconds: Int
    /// `GATEWAY_PRODUCE_TIMEOUT_MS` (5000): an accepted request waits at most this long for the broker's ack.
    public var produceTimeoutMilliseconds: Int
    /// `GATEWAY_PRODUCE_LINGER_MS` (2): how long the producer waits to fill a batch (`linger.ms`). Longer batches
    /// cost the gateway and the broker less per event and add up to this much to each accepted request's latency.
    public var produceLingerMilliseconds: Int
    /// `GATEWAY_SSE_HEARTBEAT_SECONDS` (15).
    public var sseHeartbeatSeconds: Int

    public static let defaultMediaTypes: Set<String> = [
        "image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "video/webm", "audio/mpeg", "audio/wav",
        "audio/ogg",
    ]

    public init(environment env: inout EnvironmentReader) {
        port = env.int("GATEWAY_PORT", default: 8080, range: 0...65535)  // 0: any free port (tests)
        routesFile = env.string("ROUTES_FILE", default: "routes.yaml")
        webhookSecret = env.optionalString("WEBHOOK_SECRET")
        maxBodyBytes = env.int("GATEWAY_MAX_BODY_BYTES", default: 1 << 20, range: 1...(64 << 20))
        batchMaxEvents = env.int("GATEWAY_BATCH_MAX_EVENTS", default: 500, range: 1...10_000)
        rateLimit = env.int("GATEWAY_RATE_LIMIT", default: 600, range: 0...10_000_000)
        rateWindowSeconds = env.int("GATEWAY_RATE_WINDOW_SECONDS", default: 60, range: 1...86_400)
        webhookRateLimit = env.int("GATEWAY_WEBHOOK_RATE_LIMIT", default: 6_000, range: 0...10_000_000)
        rateLimitFailOpen = env.bool("GATEWAY_RATE_LIMIT_FAIL_OPEN", default: true)
        rateLimitSyncMilliseconds = env.int("GATEWAY_RATE_LIMIT_SYNC_MS", default: 100, range: 0...10_000)
        idempotencyTTLSeconds = env.int("GATEWAY_IDEMPOTENCY_TTL_SECONDS", default: 86_400, range: 1...(30 * 86_400))
        corsOrigins = env.string("GATEWAY_CORS_ORIGINS", default: "*").split(separator: ",").map {
            String($0).trimmingWhitespace()
        }
        let types = env.optionalString("MEDIA_ALLOWED_TYPES")?.split(separator: ",").map {
            String($0).trimmingWhitespace().lowercased()
        }
        mediaAllowedTypes = types.map(Set.init) ?? Self.defaultMediaTypes
        mediaMaxFileBytes = env.int("MEDIA_MAX_FILE_BYTES", default: 100 << 20, range: 1...(1 << 40))
        breakerFailureThreshold = env.int("GATEWAY_BREAKER_FAILURES", default: 5, range: 1...1_000)
        breakerCooldownMilliseconds = env.int("GATEWAY_BREAKER_COOLDOWN_MS", default: 2_000, range: 100...600_000)
        produceTimeoutMilliseconds = env.int("GATEWAY_PRODUCE_TIMEOUT_MS", default: 5_000, range: 100...120_000)
        produceLingerMilliseconds = env.int("GATEWAY_PRODUCE_LINGER_MS", default: 2, range: 0...1_000)
        sseHeartbeatSeconds = env.int("GATEWAY_SSE_HEARTBEAT_SECONDS", default: 15, range: 1...300)
    }
}
