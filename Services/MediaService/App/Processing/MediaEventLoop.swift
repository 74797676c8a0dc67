import AvroKit
import Foundation
import KafkaKit
import Logging
import Metrics
import PostgresNIO
import S3Kit
import ServiceLifecycle
import Shared

/// Consumes the MediaService's input topics: each record's handler does the store side, then one transaction per
/// batch writes the handlers' row changes, their outputs (outbox, deterministic event ids) and the consumed offsets.
/// Hopeless records go to the dead-letter topic, and so do records whose writes Postgres refuses (see
/// `BatchCommitter`); transient failures are retried with back-off, never skipped.
final class MediaEventLoop: Service, Sendable {
    private let consumer: KafkaConsumer
    private let handlers: [String: any MediaHandler]
    private let codec: AvroEventCodec
    private let offsets: ConsumerOffsetStore
    private let deadLetters: DeadLetterPublisher
    private let relay: OutboxRelay
    private let batches: ConsumerBatches
    private let logger: Logger
    private let metrics = MediaMetrics()
    private let retry: RetryPolicy
    private let committer: BatchCommitter

    init(
        consumer: KafkaConsumer, handlers: [any MediaHandler], codec: AvroEventCodec, offsets: ConsumerOffsetStore,
        deadLetters: DeadLetterPublisher, relay: OutboxRelay, batches: ConsumerBatches, retryMax: Duration, logger: Logger
    ) {
        self.consumer = consumer
        self.handlers = Dictionary(uniqueKeysWithValues: handlers.map { ($0.topic, $0) })
        self.codec = codec
        self.offsets = offsets
        self.deadLetters = deadLetters
        self.relay = relay
        self.batches = batches
        self.logger = logger
        let retries = metrics.retries
        self.retry = RetryPolicy(maxBackoff: retryMax, logger: logger, onRetry: { retries.increment() })
        self.committer = BatchCommitter(retry: retry, deadLetters: deadLetters)
    }

    func run() async throws {
        try await batches.run(consumer, logger: logger) { records in try await flush(records) }
    }

    /// What one input writes when its batch commits.
    private struct Work: Sendable {
        var eventID: String
        var statements: [PostgresQuery]
        var outputs: [OutboxEntry]
    }

    private func flush(_ records: [KafkaConsumerRecord]) async throws {
        var work: [(record: KafkaConsumerRecord, work: Work)] = []
        let done = try await retry.run("read processed events") { try await self.alreadyProcessed(records) }
        var seen: Set<String> = []
        for record in records {
            if let id = record.header(EventHeaders.eventID), done.contains(id) || !seen.insert(id).inserted {
                metrics.duplicates.increment()
                continue
            }
            guard let handled = try await handle(record) else { continue }
            work.append((record, handled))
            metrics.handled(record.topic)
        }
        let (offsets, logger) = (self.offsets, self.logger)
        let committed = try await committer.commit(records, work: work) { work, nextOffsets in
            try await offsets.postgres.withTransaction(logger: logger) { connection in
                for statement in work.flatMap(\.statements) { _ = try await connection.query(statement, logger: logger) }
                _ = try await connection.query(
                    """
                    INSERT INTO processed_events (consumer, event_id) SELECT \(offsets.groupID), unnest(\(work.map(\.eventID))::text[])
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                let outputs = work.flatMap(\.outputs)
                try await Outbox.append(outputs, on: connection, logger: logger)
                try await offsets.advance(nextOffsets, on: connection)
                return outputs.count
            }
        }
        if committed.written > 0 { relay.nudge() }
        try? await consumer.commit(committed.nextOffsets)
    }

    /// The batch's event ids this consumer applied before (in an earlier, committed batch).
    private func alreadyProcessed(_ records: [KafkaConsumerRecord]) async throws -> Set<String> {
        let ids = records.compactMap { $0.header(EventHeaders.eventID) }
        guard !ids.isEmpty else { return [] }
        let rows = try await offsets.postgres.query(
            "SELECT event_id FROM processed_events WHERE consumer = \(offsets.groupID) AND event_id = ANY(\(ids))", logger: logger)
        var done: Set<String> = []
        for try await id in rows.decode(String.self) { done.insert(id) }
        return done
    }

    /// Decodes and handles one record and encodes its outputs (a transient failure is retried for this record
    /// alone); nil when it went to the dead-letter topic.
    /// - Returns: what the record's commit writes.
    private func handle(_ record: KafkaConsumerRecord) async throws -> Work? {
        try await deadLetters.unlessHopeless(record, retrying: retry) {
            let event = try await self.codec.decode(record)
            let eventID = event.eventID ?? "\(record.topic):\(record.partition):\(record.offset)"
            let input = MediaInput(
                topic: record.topic, payload: event.payload, eventID: eventID, correlationID: event.correlationID ?? eventID)
            guard let handler = self.handlers[record.topic] else { throw InvalidEventError(description: "no handler for \(record.topic)") }
            let outcome: MediaOutcome
            do {
                outcome = try await handler.handle(input)
            } catch let error as S3Error where !error.isTransient {
                // The store refuses this request (403, 400, …): retrying will not change its mind.
                throw HopelessRecord(reason: error.description, kind: "store_refused")
            }
            var outputs: [OutboxEntry] = []
            for (index, output) in outcome.outputs.enumerated() {
                let outputID = UUID(deterministicFrom: "media|\(input.eventID)|\(output.topic)|\(index)")
                let event = OutgoingEvent(
                    topic: output.topic, key: output.key, payload: output.payload, eventID: outputID,
                    correlationID: input.correlationID, causationID: input.eventID)
                do {
                    // An output its schema refuses (AvroError) parks the input; a missing output schema is a
                    // deployment fault, not this record's: retried until the schema is registered.
                    outputs.append(OutboxEntry(eventID: outputID, record: try await self.codec.record(for: event)))
                } catch let error as SchemaRegistryError {
                    throw OutputSchemaMissing(topic: output.topic, underlying: error)
                }
            }
            return Work(eventID: input.eventID, statements: outcome.statements, outputs: outputs)
        }
    }

    /// An output topic's schema cannot be had: transient for the loop (retried), whatever the registry said.
    struct OutputSchemaMissing: Error, CustomStringConvertible {
        var topic: String
        var underlying: SchemaRegistryError
        var description: String { "no schema for the output topic \(topic): \(underlying)" }
    }
}

/// The MediaService's metrics.
struct MediaMetrics: Sendable {
    let retries = Counter(label: "media_retries_total")
    let duplicates = Counter(label: "media_duplicate_inputs_total")

    func handled(_ topic: String) { Counter(label: "media_records_total", dimensions: [("topic", topic)]).increment() }
}
