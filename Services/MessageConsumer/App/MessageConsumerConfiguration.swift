import Shared

/// MessageConsumer settings beyond the shared infrastructure ones.
public struct MessageConsumerConfiguration: Sendable {
    /// `MESSAGE_CONSUMER_PORT` (8091): health and metrics.
    public var port: Int
    /// `MESSAGE_CONSUMER_GROUP` (`message-consumer`): the consumer group, also the key of its stored offsets.
    public var groupID: String
    /// `MESSAGE_CONSUMER_BATCH_SIZE` (1000) records or `MESSAGE_CONSUMER_BATCH_WAIT_MS` (20), whichever comes first,
    /// make one Postgres transaction.
    public var batchSize: Int
    public var batchWaitMilliseconds: Int
    /// `MESSAGE_CONSUMER_DLQ_TOPIC` (`internal.message-consumer.dead-letter`): undecodable or invalid records.
    public var deadLetterTopic: String
    /// `MESSAGE_CONSUMER_RETRY_MAX_MS` (5000): the longest back-off between attempts while Postgres is unavailable.
    public var retryMaxMilliseconds: Int

    public init(environment env: inout EnvironmentReader) {
        port = env.int("MESSAGE_CONSUMER_PORT", default: 8091, range: 1...65535)
        groupID = env.string("MESSAGE_CONSUMER_GROUP", default: "message-consumer")
        batchSize = env.int("MESSAGE_CONSUMER_BATCH_SIZE", default: 1000, range: 1...100_000)
        batchWaitMilliseconds = env.int("MESSAGE_CONSUMER_BATCH_WAIT_MS", default: 20, range: 1...60_000)
        deadLetterTopic = env.string("MESSAGE_CONSUMER_DLQ_TOPIC", default: "internal.message-consumer.dead-letter")
        retryMaxMilliseconds = env.int("MESSAGE_CONSUMER_RETRY_MAX_MS", default: 5_000, range: 10...600_000)
    }
}
