import AvroKit
import KafkaKit
import Logging
import PostgresNIO

/// Writes notification rows and the consumed offsets in one transaction, and reads the offsets back on assignment.
/// This is the effectively-once core: after any crash the stored offsets and the rows agree, and the unique
/// `(source_event_id, event_type)` constraint absorbs any redelivery that slips past them (e.g. a zombie instance).
public struct NotificationStore: Sendable {
    let postgres: PostgresClient
    let groupID: String
    let logger: Logger

    public init(postgres: PostgresClient, groupID: String, logger: Logger) {
        self.postgres = postgres
        self.groupID = groupID
        self.logger = logger
    }

    /// The next offset to read for each partition this group has stored.
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

    /// Inserts the rows (duplicates ignored) and advances the stored offsets, atomically.
    /// - Returns: how many rows were new.
    @discardableResult
    public func write(_ rows: [NotificationRow], nextOffsets: [KafkaTopicPartition: Int64]) async throws -> Int {
        let groupID = self.groupID
        let logger = self.logger
        return try await postgres.withTransaction(logger: logger) { connection in
            var inserted = 0
            if !rows.isEmpty {
                // One statement for the whole batch: arrays unnested in order (WITH ORDINALITY keeps consumption
                // order, so ids follow per-partition order). Empty recipient = NULL.
                let users = rows.map(\.userID)
                let types = rows.map(\.eventType)
                let payloads = rows.map { $0.payload.jsonString() }
                let times = rows.map(\.eventTime)
                let visibilities = rows.map(\.visibility)
                let recipients = rows.map { $0.recipientID ?? "" }
                let sources = rows.map(\.sourceEventID)
                let result = try await connection.query(
                    """
                    INSERT INTO user_notifications
                        (user_id, event_type, payload, event_time, visibility, recipient_id, source_event_id)
                    SELECT u, t, p, e, v, NULLIF(r, ''), s
                    FROM unnest(\(users)::text[], \(types)::text[], \(payloads)::text[], \(times)::text[],
                                \(visibilities)::text[], \(recipients)::text[], \(sources)::text[])
                         WITH ORDINALITY AS x(u, t, p, e, v, r, s, n)
                    ORDER BY n
                    ON CONFLICT (source_event_id, event_type) DO NOTHING
                    RETURNING id
                    """, logger: logger)
                for try await _ in result { inserted += 1 }
            }
            if !nextOffsets.isEmpty {
                let entries = nextOffsets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
                let topics = entries.map(\.key.topic)
                let partitions = entries.map(\.key.partition)
                let offsets = entries.map(\.value)
                // GREATEST: a zombie instance that lost the partition can never move the offset backwards.
                _ = try await connection.query(
                    """
                    INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
                    SELECT \(groupID), t, p, o FROM unnest(\(topics)::text[], \(partitions)::int[], \(offsets)::bigint[]) AS x(t, p, o)
                    ON CONFLICT (group_id, topic, partition) DO UPDATE
                        SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()
                    """, logger: logger)
            }
            return inserted
        }
    }
}
