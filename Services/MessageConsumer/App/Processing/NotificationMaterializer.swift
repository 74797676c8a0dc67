import AvroKit
import Foundation
import KafkaKit
import Logging
import Metrics
import NIOConcurrencyHelpers
import ServiceLifecycle
import Shared

/// The consume → decode → map → write loop.
///
/// Records are gathered into batches (bounded by count and time); each batch becomes one Postgres transaction that
/// writes the rows and the next offsets. Records that can never become a row (undecodable, unknown schema, invalid)
/// are parked on the dead-letter topic first, so they neither block their partition nor vanish; so are records whose
/// row Postgres refuses (see `BatchCommitter`). While Postgres is unavailable the loop retries the same
/// batch with exponential back-off and jitter instead of skipping anything.
public final class NotificationMaterializer: Service, Sendable {
    private let consumer: KafkaConsumer
    private let codec: AvroEventCodec
    private let store: NotificationStore
    private let deadLetters: DeadLetterPublisher
    private let configuration: MessageConsumerConfiguration
    private let logger: Logger
    private let progress = NIOLockedValueBox<[KafkaTopicPartition: Int64]>([:])
    private let metrics = MaterializerMetrics()
    private let retry: RetryPolicy
    private let committer: BatchCommitter

    public init(
        consumer: KafkaConsumer, codec: AvroEventCodec, store: NotificationStore, deadLetters: DeadLetterPublisher,
        configuration: MessageConsumerConfiguration, logger: Logger
    ) {
        self.consumer = consumer
        self.codec = codec
        self.store = store
        self.deadLetters = deadLetters
        self.configuration = configuration
        self.logger = logger
        let retries = metrics.retries
        self.retry = RetryPolicy(
            maxBackoff: .milliseconds(configuration.retryMaxMilliseconds), logger: logger, onRetry: { retries.increment() })
        self.committer = BatchCommitter(retry: retry, deadLetters: deadLetters)
    }

    /// The next offset written per partition (for lag metrics).
    public var writtenOffsets: [KafkaTopicPartition: Int64] { progress.withLockedValue { $0 } }

    public func run() async throws {
        try await ConsumerBatches(size: configuration.batchSize, wait: .milliseconds(configuration.batchWaitMilliseconds))
            .run(
                consumer, logger: logger,
                onRevoked: { partitions in
                    progress.withLockedValue { state in for partition in partitions { state[partition] = nil } }
                },
                flush: { records in try await flush(records) })
    }

    // MARK: - One batch

    private func flush(_ records: [KafkaConsumerRecord]) async throws {
        let started = ContinuousClock.now
        let rows = try await prepare(records)
        let committed = try await committer.commit(records, work: rows) { rows, nextOffsets in
            try await self.store.write(rows, nextOffsets: nextOffsets)
        }
        let (inserted, nextOffsets) = (committed.written, committed.nextOffsets)
        progress.withLockedValue { state in
            for (partition, offset) in nextOffsets { state[partition] = max(state[partition] ?? 0, offset) }
        }
        // The group's committed offsets only feed lag dashboards; Postgres holds the truth.
        try? await consumer.commit(nextOffsets)
        metrics.recordBatch(records: records.count, inserted: inserted, duplicates: rows.count - committed.parked - inserted, since: started)
        logger.debug("batch written", metadata: ["records": "\(records.count)", "rows": "\(inserted)"])
    }

    /// Decodes and maps every record; parks the hopeless ones on the dead-letter topic. A transient failure (the
    /// registry unavailable) is retried for its record alone.
    private func prepare(_ records: [KafkaConsumerRecord]) async throws -> [(record: KafkaConsumerRecord, work: NotificationRow)] {
        var rows: [(record: KafkaConsumerRecord, work: NotificationRow)] = []
        rows.reserveCapacity(records.count)
        for record in records {
            let row = try await deadLetters.unlessHopeless(record, retrying: retry) {
                let event = try await self.codec.decode(record)
                let source = event.eventID ?? "\(record.topic):\(record.partition):\(record.offset)"
                return try NotificationCatalogue.row(topic: record.topic, payload: event.payload, sourceEventID: source)
            }
            if let row { rows.append((record, row)) }
        }
        return rows
    }
}

/// The materializer's metrics.
struct MaterializerMetrics: Sendable {
    let records = Counter(label: "message_consumer_records_total")
    let rows = Counter(label: "message_consumer_rows_inserted_total")
    let duplicates = Counter(label: "message_consumer_duplicates_total")
    let retries = Counter(label: "message_consumer_retries_total")
    let batchSize = Recorder(label: "message_consumer_batch_size")
    let commitLatency = Metrics.Timer(label: "message_consumer_batch_duration_seconds")

    func recordBatch(records count: Int, inserted: Int, duplicates duplicateCount: Int, since start: ContinuousClock.Instant) {
        records.increment(by: count)
        rows.increment(by: inserted)
        if duplicateCount > 0 { duplicates.increment(by: duplicateCount) }
        batchSize.record(count)
        commitLatency.record(since: start)
    }
}
