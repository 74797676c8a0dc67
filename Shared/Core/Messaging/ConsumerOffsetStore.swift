import KafkaKit
import Logging
import PostgresNIO

/// Consumed offsets kept in Postgres (`consumer_offsets`), written in the same transaction as the effects they
/// account for. On partition assignment the consumer seeks to them, so a crash at any point neither replays an
/// applied record nor skips an unapplied one.
public struct ConsumerOffsetStore: Sendable {
    public let postgres: PostgresClient
    public let groupID: String
    let logger: Logger

    public init(postgres: PostgresClient, groupID: String, logger: Logger) {
        self.postgres = postgres
        self.groupID = groupID
        self.logger = logger
    }

    /// The next offset to read for each partition this group has stored (a ``KafkaConsumer/OffsetProvider``).
    public func offsets(for partitions: [KafkaTopicPartition]) async throws -> [KafkaTopicPartition: Int64] {
        let wanted = Set(partitions)
        var offsets: [KafkaTopicPartition: Int64] = [:]
        let topics = Array(Set(partitions.map(\.topic)))
        let rows = try await postgres.query(
            "SELECT topic, partition, next_offset FROM consumer_offsets WHERE group_id = \(groupID) AND topic = ANY(\(topics))",
            logger: logger)
        for try await (topic, partition, offset) in rows.decode((String, Int32, Int64).self) {
            let key = KafkaTopicPartition(topic: topic, partition: partition)
            if wanted.contains(key) { offsets[key] = offset }
        }
        return offsets
    }

    /// Advances the stored offsets inside the caller's transaction.
    /// `GREATEST`: a zombie instance that lost the partition can never move an offset backwards.
    public func advance(_ nextOffsets: [KafkaTopicPartition: Int64], on connection: PostgresConnection) async throws {
        guard !nextOffsets.isEmpty else { return }
        let entries = nextOffsets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
        let topics = entries.map(\.key.topic)
        let partitions = entries.map(\.key.partition)
        let offsets = entries.map(\.value)
        _ = try await connection.query(
            """
            INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
            SELECT \(groupID), t, p, o FROM unnest(\(topics)::text[], \(partitions)::int[], \(offsets)::bigint[]) AS x(t, p, o)
            ON CONFLICT (group_id, topic, partition) DO UPDATE
                SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()
            """, logger: logger)
    }

    /// Stores the current end of every partition of `topics` as this group's offsets, so a consumer of the group reads
    /// only what is produced afterwards (benchmarks, tests, a new group that must not replay history).
    public func positionAtEnd(of topics: [String], admin: KafkaAdmin) async throws {
        var ends: [KafkaTopicPartition: Int64] = [:]
        for topic in topics {
            for partition in Int32(0)..<64 {
                guard let (_, high) = try? await admin.watermarks(topic: topic, partition: partition) else { break }
                ends[KafkaTopicPartition(topic: topic, partition: partition)] = high
            }
        }
        let positions = ends
        try await postgres.withConnection { connection in try await advance(positions, on: connection) }
    }

    /// The next offset per partition after `records` (the highest offset seen + 1).
    public static func nextOffsets(after records: some Sequence<KafkaConsumerRecord>) -> [KafkaTopicPartition: Int64] {
        var next: [KafkaTopicPartition: Int64] = [:]
        for record in records {
            next[record.topicPartition] = max(next[record.topicPartition] ?? 0, record.offset + 1)
        }
        return next
    }
}
