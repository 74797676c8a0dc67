import Foundation
import KafkaKit
import Logging
import Metrics

/// Sends records that can never be processed to a dead-letter topic, unchanged, with headers saying why and where
/// they came from. It waits for the broker's ack: a record is only skipped once it is safely parked.
public struct DeadLetterPublisher: Sendable {
    let producer: KafkaProducer
    let topic: String
    let consumerGroup: String
    let logger: Logger
    let parked: Counter

    /// - Parameter parked: counts the records parked.
    public init(producer: KafkaProducer, topic: String, consumerGroup: String, logger: Logger, parked: Counter) {
        self.producer = producer
        self.topic = topic
        self.consumerGroup = consumerGroup
        self.logger = logger
        self.parked = parked
    }

    /// Runs `operation` for `record`, retrying its transient failures by `policy` (for this record alone: records
    /// before it are not done again); parks the record when it turns out hopeless.
    /// - Returns: the operation's result, or nil when the record went to the dead-letter topic.
    public func unlessHopeless<T: Sendable>(
        _ record: KafkaConsumerRecord, retrying policy: RetryPolicy, _ operation: () async throws -> T
    ) async throws -> T? {
        do {
            return try await policy.run("process a record of \(record.topic)", operation)
        } catch let hopeless as HopelessRecord {
            try await park(record, hopeless, retrying: policy)
            return nil
        }
    }

    /// Parks `record` with why it is hopeless, retrying the send by `policy` until the broker acknowledges it.
    public func park(_ record: KafkaConsumerRecord, _ hopeless: HopelessRecord, retrying policy: RetryPolicy) async throws {
        logger.warning(
            "record sent to the dead-letter topic",
            metadata: [
                "topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)",
                "kind": "\(hopeless.kind)", "reason": "\(hopeless.reason)",
            ])
        try await policy.run("dead-letter a record") { try await publish(record, reason: hopeless.reason, errorKind: hopeless.kind) }
        parked.increment()
    }

    func publish(_ record: KafkaConsumerRecord, reason: String, errorKind: String) async throws {
        var headers = record.headers
        headers += [
            // Bounded: a record whose copy exceeded the broker's message size could never be parked.
            KafkaHeader(key: "dlq-error", string: String(reason.prefix(2_000))),
            KafkaHeader(key: "dlq-error-kind", string: errorKind),
            KafkaHeader(key: "dlq-source-topic", string: record.topic),
            KafkaHeader(key: "dlq-source-partition", string: String(record.partition)),
            KafkaHeader(key: "dlq-source-offset", string: String(record.offset)),
            KafkaHeader(key: "dlq-consumer-group", string: consumerGroup),
            KafkaHeader(key: "dlq-time", string: ISO8601DateFormatter().string(from: Date())),
        ]
        try await producer.send(
            KafkaProducerRecord(
                topic: topic, key: record.key ?? Array("\(record.topic):\(record.partition)".utf8), value: record.value,
                headers: headers))
    }
}
