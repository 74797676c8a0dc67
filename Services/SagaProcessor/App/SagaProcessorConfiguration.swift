import Shared

/// SagaProcessor settings beyond the shared infrastructure ones.
public struct SagaProcessorConfiguration: Sendable {
    /// `SAGA_PROCESSOR_PORT` (8092): health and metrics.
    public var port: Int
    /// `SAGA_PROCESSOR_GROUP` (`saga-processor`): the consumer group, also the key of its stored offsets.
    public var groupID: String
    /// `UPLOAD_TTL_SECONDS` (930): how long a signed upload URL may go unused before the upload expires and the
    /// credit comes back. Longer than the URL's life (`UPLOAD_URL_EXPIRY_SECONDS`, 900) by the time the MediaService
    /// may take to see an upload made in its last moments.
    public var uploadTTLSeconds: Int
    /// `MOVE_TIMEOUT_SECONDS` (120): how long the move saga waits for the permanent object after the upload arrived.
    public var moveTimeoutSeconds: Int
    /// `MOVE_MAX_RETRIES` (3): synchronous move retries before the upload is dead-lettered.
    public var moveMaxRetries: Int
    /// `SAGA_BATCH_SIZE` (200) records or `SAGA_BATCH_WAIT_MS` (10), whichever comes first, make one transaction.
    public var batchSize: Int
    public var batchWaitMilliseconds: Int
    /// `SAGA_TIMER_POLL_MS` (100): how often due timers are looked for (the timers' resolution).
    public var timerPollMilliseconds: Int
    /// `SAGA_DLQ_TOPIC` (`internal.saga-processor.dead-letter`): undecodable or invalid input records.
    public var deadLetterTopic: String
    /// `SAGA_RETRY_MAX_MS` (5000): the longest back-off while Postgres is unavailable.
    public var retryMaxMilliseconds: Int
    /// `SAGA_STATE_RETENTION_HOURS` (168): finished sagas are kept this long to absorb late duplicates.
    public var stateRetentionHours: Int
    /// `OUTBOX_RELAY_ENABLED` (true): publish the outbox. Off only to leave outputs committed but unpublished
    /// (crash tests, or when another process relays).
    public var outboxRelayEnabled: Bool

    public init(environment env: inout EnvironmentReader) {
        port = env.int("SAGA_PROCESSOR_PORT", default: 8092, range: 1...65535)
        groupID = env.string("SAGA_PROCESSOR_GROUP", default: "saga-processor")
        uploadTTLSeconds = env.int("UPLOAD_TTL_SECONDS", default: 930, range: 1...604_800)
        moveTimeoutSeconds = env.int("MOVE_TIMEOUT_SECONDS", default: 120, range: 1...86_400)
        moveMaxRetries = env.int("MOVE_MAX_RETRIES", default: 3, range: 0...100)
        batchSize = env.int("SAGA_BATCH_SIZE", default: 200, range: 1...10_000)
        batchWaitMilliseconds = env.int("SAGA_BATCH_WAIT_MS", default: 10, range: 1...60_000)
        timerPollMilliseconds = env.int("SAGA_TIMER_POLL_MS", default: 100, range: 10...60_000)
        deadLetterTopic = env.string("SAGA_DLQ_TOPIC", default: "internal.saga-processor.dead-letter")
        retryMaxMilliseconds = env.int("SAGA_RETRY_MAX_MS", default: 5_000, range: 10...600_000)
        stateRetentionHours = env.int("SAGA_STATE_RETENTION_HOURS", default: 168, range: 1...87_600)
        outboxRelayEnabled = env.bool("OUTBOX_RELAY_ENABLED", default: true)
    }
}
