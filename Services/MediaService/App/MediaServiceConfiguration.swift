import S3Kit
import Shared

/// MediaService settings beyond the shared infrastructure ones.
public struct MediaServiceConfiguration: Sendable {
    /// `MEDIA_SERVICE_PORT` (8090): object-store webhooks, health and metrics.
    public var port: Int
    /// `MEDIA_SERVICE_GROUP` (`media-service`): the consumer group, also the key of its stored offsets.
    public var groupID: String
    /// `S3_ENDPOINT`, `S3_PUBLIC_ENDPOINT`, `S3_REGION`, `S3_ACCESS_KEY`, `S3_SECRET_KEY`, `S3_BUCKET`, `S3_PATH_STYLE`.
    public var s3: S3Configuration
    /// `S3_REQUEST_TIMEOUT_MS` (30000): the longest one S3 call may take (an unreachable store fails after it).
    public var s3RequestTimeoutMilliseconds: Int
    /// `S3_EVENTS` (`poll`): `webhook` when the store notifies (MinIO), `poll` to list the bucket instead (emulators).
    public var objectEvents: String
    /// `S3_WEBHOOK_TOKEN`: the bearer token the store's webhooks carry; empty → every webhook call is refused.
    public var webhookToken: String
    /// `S3_POLL_INTERVAL_MS` (1000): how often the listing poller looks.
    public var pollIntervalMilliseconds: Int
    /// `UPLOAD_URL_EXPIRY_SECONDS` (900), `DOWNLOAD_URL_EXPIRY_SECONDS` (3600): presigned URL lifetimes.
    public var uploadURLExpirySeconds: Int
    public var downloadURLExpirySeconds: Int
    /// `MEDIA_DELETE_MAX_RETRIES` (4) object deletions retried `MEDIA_DELETE_RETRY_BASE_MS` (1000) × 2^n apart, then
    /// the delete is dead-lettered (and the user told).
    public var deleteMaxRetries: Int
    public var deleteRetryBaseMilliseconds: Int
    /// `MEDIA_DLQ_TOPIC` (`internal.media-service.dead-letter`): undecodable or invalid input records.
    public var deadLetterTopic: String
    /// `MEDIA_RETRY_MAX_MS` (5000): the longest back-off while Postgres or the store is unavailable.
    public var retryMaxMilliseconds: Int
    /// `MEDIA_PROCESSED_RETENTION_HOURS` (168): how long applied input ids are remembered to recognise a redelivery.
    public var processedRetentionHours: Int

    public init(environment env: inout EnvironmentReader) {
        port = env.int("MEDIA_SERVICE_PORT", default: 8090, range: 1...65535)
        groupID = env.string("MEDIA_SERVICE_GROUP", default: "media-service")
        let endpoint = env.string("S3_ENDPOINT", default: "http://127.0.0.1:19000")
        s3 = S3Configuration(
            endpoint: endpoint, publicEndpoint: env.string("S3_PUBLIC_ENDPOINT", default: endpoint),
            region: env.string("S3_REGION", default: "us-east-1"), bucket: env.string("S3_BUCKET", default: "media-uploads"),
            credentials: AWSCredentials(
                accessKeyID: env.string("S3_ACCESS_KEY", default: "substrate"),
                secretAccessKey: env.string("S3_SECRET_KEY", default: "substrate-secret")),
            pathStyle: env.bool("S3_PATH_STYLE", default: true))
        s3RequestTimeoutMilliseconds = env.int("S3_REQUEST_TIMEOUT_MS", default: 30_000, range: 100...600_000)
        objectEvents = env.choice("S3_EVENTS", default: "poll", allowed: ["poll", "webhook"])
        webhookToken = env.string("S3_WEBHOOK_TOKEN", default: "")
        if objectEvents == "webhook" && webhookToken.isEmpty {
            env.report("S3_WEBHOOK_TOKEN must be set when S3_EVENTS=webhook (the store's webhooks authenticate with it)")
        }
        pollIntervalMilliseconds = env.int("S3_POLL_INTERVAL_MS", default: 1_000, range: 50...600_000)
        uploadURLExpirySeconds = env.int("UPLOAD_URL_EXPIRY_SECONDS", default: 900, range: 1...604_800)
        downloadURLExpirySeconds = env.int("DOWNLOAD_URL_EXPIRY_SECONDS", default: 3_600, range: 1...604_800)
        deleteMaxRetries = env.int("MEDIA_DELETE_MAX_RETRIES", default: 4, range: 0...100)
        deleteRetryBaseMilliseconds = env.int("MEDIA_DELETE_RETRY_BASE_MS", default: 1_000, range: 1...600_000)
        deadLetterTopic = env.string("MEDIA_DLQ_TOPIC", default: "internal.media-service.dead-letter")
        retryMaxMilliseconds = env.int("MEDIA_RETRY_MAX_MS", default: 5_000, range: 10...600_000)
        processedRetentionHours = env.int("MEDIA_PROCESSED_RETENTION_HOURS", default: 168, range: 1...87_600)
    }
}
