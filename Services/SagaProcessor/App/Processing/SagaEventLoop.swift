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
/// records whose writes Postgres refuses (see `BatchCommitter`).
public final class SagaEventLoop: Service, Sendable {
    private let consumer: KafkaConsumer
    private let engine: SagaEngine
    private let offsets: ConsumerOffsetStore
    private let deadLetters: DeadLetterPublisher
    private let relay: OutboxRelay?
    private let configuration: SagaProcessorConfiguration
    private let logger: Logger
    private let retry: RetryPolicy
    private let committer: BatchCommitter

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
        self.retry = RetryPolicy(
            maxBackoff: .milliseconds(configuration.retryMaxMilliseconds), logger: logger,
            onRetry: { metrics.retries.increment() })
        self.committer = BatchCommitter(retry: retry, deadLetters: deadLetters)
    }

    public func run() async throws {
        try await ConsumerBatches(size: configuration.batchSize, wait: .milliseconds(configuration.batchWaitMilliseconds))
            .run(consumer, logger: logger) { records in try await flush(records) }
    }

    private func flush(_ records: [KafkaConsumerRecord]) async throws {
        let started = ContinuousClock.now
        let routed = try await route(records)
        let (engine, offsets, logger) = (self.engine, self.offsets, self.logger)
        let committed = try await committer.commit(records, work: routed) { routed, nextOffsets in
            try await offsets.postgres.withTransaction(logger: logger) { connection in
                let written = try await engine.apply(routed.flatMap { $0 }, on: connection)
                try await offsets.advance(nextOffsets, on: connection)
                return written
            }
        }
        if committed.written > 0 { relay?.nudge() }
        // The group's committed offsets only feed lag dashboards; Postgres holds the truth.
        try? await consumer.commit(committed.nextOffsets)
        engine.metrics.recordsHandled.increment(by: records.count)
        engine.metrics.batchDuration.record(since: started)
    }

    /// Decodes and validates every record; parks the hopeless ones on the dead-letter topic. A transient failure
    /// (the registry unavailable) is retried for its record alone.
    private func route(_ records: [KafkaConsumerRecord]) async throws -> [(record: KafkaConsumerRecord, work: [SagaEngine.Routed])] {
        var routed: [(record: KafkaConsumerRecord, work: [SagaEngine.Routed])] = []
        for record in records {
            let work = try await deadLetters.unlessHopeless(record, retrying: retry) {
                let event = try await self.engine.codec.decode(record)
                let eventID = event.eventID ?? "\(record.topic):\(record.partition):\(record.offset)"
                let input = SagaInput(
                    topic: record.topic, payload: event.payload, eventID: eventID, correlationID: event.correlationID ?? eventID)
                return try self.engine.route(input)
            }
            if let work { routed.append((record, work)) }
        }
        return routed
    }
}
