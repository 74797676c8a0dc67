import AvroKit
import Foundation
import KafkaKit
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Shared

/// The consume loop: records are gathered into batches (count and time bounded); each batch is one transaction that
/// applies every record to its sagas and stores the consumed offsets. A crash anywhere leaves either all of a batch
/// (state, timers, ledger, outbox, offsets) or none of it. Hopeless records go to the dead-letter topic first; so do
/// records whose writes Postgres refuses (see `RefusalIsolatingCommitter`).
public final class SagaEventLoop: Service, Sendable {
    private let consumer: KafkaConsumer
    private let engine: SagaEngine
    private let offsets: ConsumerOffsetStore
    private let deadLetters: DeadLetterPublisher
    private let relay: OutboxRelay?
    private let configuration: SagaProcessorConfiguration
    private let logger: Logger
    private let committer: RefusalIsolatingCommitter

    public init(
        consumer: KafkaConsumer, engine: SagaEngine, offsets: ConsumerOffsetStore, deadLetters: DeadLetterPublisher,
        relay: OutboxRelay?, configuration: SagaProcessorConfiguration, logger: Logger
    ) {
        self.consumer = consumer
        self.engine = engine
        self.offsets = offsets
        self.deadLetters = deadLetters
        self.relay = relay
        self.configuration = configuration
        self.logger = logger
        let metrics = engine.metrics
        self.committer = RefusalIsolatingCommitter(
            maxBackoff: .milliseconds(configuration.retryMaxMilliseconds), logger: logger,
            onRetry: { metrics.retries.increment() })
    }

    public func run() async throws {
        try await ConsumerBatches(size: configuration.batchSize, wait: .milliseconds(configuration.batchWaitMilliseconds))
            .run(consumer, logger: logger) { records in try await flush(records) }
    }

    private func flush(_ records: [KafkaConsumerRecord]) async throws {
        let started = ContinuousClock.now
        let routed = try await retry("decode batch") { try await self.route(records) }
        let (engine, offsets, logger) = (self.engine, self.offsets, self.logger)
        let written = try await committer.commit(
            records, work: routed,
            commit: { routed, nextOffsets in
                try await offsets.postgres.withTransaction(logger: logger) { connection in
                    let written = try await engine.apply(routed.flatMap { $0 }, on: connection)
                    try await offsets.advance(nextOffsets, on: connection)
                    return written
                }
            },
            refused: { record, refusal in
                try await self.retry("dead-letter") {
                    try await self.deadLetter(record, reason: refusal.description, kind: "database_refused")
                }
            })
        let nextOffsets = ConsumerOffsetStore.nextOffsets(after: records)
        if written > 0 { relay?.nudge() }
        // The group's committed offsets only feed lag dashboards; Postgres holds the truth.
        try? await consumer.commit(nextOffsets)
        engine.metrics.recordsHandled.increment(by: records.count)
        engine.metrics.batchDuration.record(since: started)
    }

    /// Decodes and validates every record; parks the hopeless ones on the dead-letter topic.
    /// - Throws: only transient failures (registry or broker unavailable), which the caller retries.
    private func route(_ records: [KafkaConsumerRecord]) async throws -> [(record: KafkaConsumerRecord, work: [SagaEngine.Routed])] {
        var routed: [(record: KafkaConsumerRecord, work: [SagaEngine.Routed])] = []
        for record in records {
            let reason: String
            let kind: String
            do {
                let event = try await engine.codec.decode(record)
                let eventID = event.eventID ?? "\(record.topic):\(record.partition):\(record.offset)"
                let input = SagaInput(
                    topic: record.topic, payload: event.payload, eventID: eventID, correlationID: event.correlationID ?? eventID)
                routed.append((record, try engine.route(input)))
                continue
            } catch let error as AvroError {
                (reason, kind) = ("\(error)", "decode")
            } catch let error as InvalidEventError {
                (reason, kind) = (error.description, "invalid_event")
            } catch let error as DecodingError {
                (reason, kind) = (Self.describe(error), "invalid_event")
            } catch let error as SchemaRegistryError where error.code != .unavailable {
                (reason, kind) = ("\(error)", "schema")
            }
            try await deadLetter(record, reason: reason, kind: kind)
        }
        return routed
    }

    private func deadLetter(_ record: KafkaConsumerRecord, reason: String, kind: String) async throws {
        logger.warning(
            "record sent to the dead-letter topic",
            metadata: ["topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)", "reason": "\(reason)"])
        try await deadLetters.publish(record, reason: reason, errorKind: kind, consumerGroup: configuration.groupID)
        engine.metrics.deadLettered.increment()
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "invalid field \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private func retry<T: Sendable>(_ what: String, _ operation: () async throws -> T) async throws -> T {
        try await retryForever(
            what, maxBackoff: .milliseconds(configuration.retryMaxMilliseconds), logger: logger,
            onRetry: { engine.metrics.retries.increment() }, operation)
    }
}
