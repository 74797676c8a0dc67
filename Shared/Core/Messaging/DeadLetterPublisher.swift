import Foundation
import KafkaKit

/// Sends records that can never be materialized to a dead-letter topic, unchanged, with headers saying why and
/// where they came from. It waits for the broker's ack: a record is only skipped once it is safely parked.
public struct DeadLetterPublisher: Sendable {
    let producer: KafkaProducer
    let topic: String

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    public func publish(_ record: KafkaConsumerRecord, reason: String, errorKind: String, consumerGroup: String) async throws {
        var headers = record.headers
        headers += [
            KafkaHeader(key: "dlq-error", string: reason),
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
