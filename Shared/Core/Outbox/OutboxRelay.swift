import AvroKit
import Foundation
import KafkaKit
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Publishes committed outbox rows to Kafka and marks them sent.
///
/// Each round is one transaction: take the oldest unpublished rows (`FOR UPDATE SKIP LOCKED`), produce them with
/// acks, mark the acknowledged ones published, commit. A transaction-scoped advisory lock lets one relay at a time
/// (across every instance and service sharing the database) run a round, which keeps the table's order — and so each
/// key's order — on the topics. A crash between the broker's ack and the commit republishes those rows with their
/// original `event-id`; consumers dedupe by it. Published rows are deleted after a retention period.
public final class OutboxRelay: Service, Sendable {
    public struct Configuration: Sendable {
        /// Rows per round.
        public var batchSize = 500
        /// How often to look when idle (other instances' rows, and rows whose nudge was missed).
        public var idleInterval = Duration.milliseconds(100)
        /// How long published rows are kept (for audits and replays).
        public var retention = Duration.seconds(3600)
        /// How long shutdown keeps publishing what is left.
        public var drainTimeout = Duration.seconds(5)

        public init() {}
    }

    /// The advisory lock key ("outbox" in ASCII) that serializes relay rounds.
    static let lockKey: Int64 = 0x6f75_7462_6f78

    private let postgres: PostgresClient
    private let producer: KafkaProducer
    private let configuration: Configuration
    private let logger: Logger
    private let nudged = NIOLockedValueBox(false)
    private let metrics = OutboxMetrics()

    public init(postgres: PostgresClient, producer: KafkaProducer, configuration: Configuration = .init(), logger: Logger) {
        self.postgres = postgres
        self.producer = producer
        self.configuration = configuration
        self.logger = logger
    }

    /// Wakes the relay now (call after committing outbox rows) instead of at the next idle check.
    public func nudge() { nudged.withLockedValue { $0 = true } }

    public func run() async throws {
        var backoff = Duration.milliseconds(50)
        var nextMaintenance = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if ContinuousClock.now >= nextMaintenance {
                    try await maintain()
                    nextMaintenance = ContinuousClock.now + .seconds(10)
                }
                let outcome = try await publishRound()
                backoff = .milliseconds(50)
                if outcome == .full { continue }
                if outcome == .failed { await Task.sleepUnlessShuttingDown(for: backoff) }
                await idle()
            } catch {
                if Task.isCancelled { break }
                logger.warning("outbox relay round failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                await Task.sleepUnlessShuttingDown(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        await drain()
    }

    enum Outcome { case empty, partial, full, failed, locked }

    /// One round. `.full` means there may be more right away.
    func publishRound() async throws -> Outcome {
        let limit = configuration.batchSize
        let logger = self.logger
        let producer = self.producer
        let metrics = self.metrics
        return try await postgres.withTransaction(logger: logger) { connection -> Outcome in
            let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            for try await held in locked.decode(Bool.self) where !held { return .locked }
            let rows = try await connection.query(
                """
                SELECT id, topic, record_key, value, headers::text FROM outbox
                WHERE published_at IS NULL ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var ids: [Int64] = []
            var records: [KafkaProducerRecord] = []
            for try await (id, topic, key, value, headers) in rows.decode((Int64, String, ByteBuffer, ByteBuffer, String).self) {
                ids.append(id)
                records.append(KafkaProducerRecord(
                    topic: topic, key: Array(key.readableBytesView), value: Array(value.readableBytesView),
                    headers: Self.headers(fromJSON: headers)))
            }
            guard !records.isEmpty else { return .empty }
            let results = await producer.send(batch: records)
            var published: [Int64] = []
            for (id, result) in zip(ids, results) {
                switch result {
                case .success: published.append(id)
                case .failure(let error):
                    logger.warning("outbox record not acknowledged; it stays queued", metadata: ["outbox_id": "\(id)", "error": "\(error)"])
                }
            }
            if !published.isEmpty {
                _ = try await connection.query(
                    "UPDATE outbox SET published_at = now() WHERE id = ANY(\(published))", logger: logger)
            }
            metrics.published.increment(by: published.count)
            if published.count < records.count { return .failed }
            return records.count == limit ? .full : .partial
        }
    }

    /// Backlog gauge and retention.
    private func maintain() async throws {
        let backlog = try await postgres.query("SELECT count(*) FROM outbox WHERE published_at IS NULL", logger: logger)
        for try await count in backlog.decode(Int64.self) { metrics.backlog.record(count) }
        let seconds = configuration.retention.wholeSecondsForSQL
        _ = try await postgres.query(
            """
            DELETE FROM outbox WHERE id IN (
                SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => \(seconds)) LIMIT 10000)
            """, logger: logger)
    }

    private func idle() async {
        let step = Duration.milliseconds(5)
        var waited = Duration.zero
        while waited < configuration.idleInterval {
            if nudged.withLockedValue({ let was = $0; $0 = false; return was }) { return }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            try? await Task.sleep(for: step)
            waited += step
        }
    }

    /// On shutdown: publish what is committed, for a bounded time. Anything left goes out after the next start.
    private func drain() async {
        let deadline = ContinuousClock.now + configuration.drainTimeout
        while ContinuousClock.now < deadline {
            guard let outcome = try? await publishRound(), outcome == .full || outcome == .partial else { return }
        }
    }

    static func headers(fromJSON text: String) -> [KafkaHeader] {
        guard case .object(let object)? = try? JSONValue.parse(text) else { return [] }
        return object.members.compactMap { member in member.value.stringValue.map { KafkaHeader(key: member.key, string: $0) } }
    }
}

extension Duration {
    /// Whole seconds as a Double, for `make_interval(secs => …)`.
    var wholeSecondsForSQL: Double { Double(components.seconds) }
}

struct OutboxMetrics: Sendable {
    let published = Counter(label: "outbox_published_total")
    let backlog = Gauge(label: "outbox_backlog")
}
