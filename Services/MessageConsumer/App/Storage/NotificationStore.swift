import AvroKit
import KafkaKit
import Logging
import PostgresNIO
import Shared

/// Writes notification rows and the consumed offsets in one transaction, and reads the offsets back on assignment.
/// This is the effectively-once core: after any crash the stored offsets and the rows agree, and the unique
/// `(source_event_id, event_type)` constraint absorbs any redelivery that slips past them (e.g. a zombie instance).
public struct NotificationStore: Sendable {
    let postgres: PostgresClient
    let offsetStore: ConsumerOffsetStore
    let logger: Logger

    /// Transaction-scoped advisory lock key that serializes inserts into `user_notifications` ("notifids").
    public static let idOrderLock: Int64 = 0x6E6F_7469_6669_6473

    public init(postgres: PostgresClient, groupID: String, logger: Logger) {
        self.postgres = postgres
        self.offsetStore = ConsumerOffsetStore(postgres: postgres, groupID: groupID, logger: logger)
        self.logger = logger
    }

    /// The next offset to read for each partition this group has stored.
    public func offsets(for partitions: [KafkaTopicPartition]) async throws -> [KafkaTopicPartition: Int64] {
        try await offsetStore.offsets(for: partitions)
    }

    /// Inserts the rows (duplicates ignored) and advances the stored offsets, atomically.
    /// - Returns: how many rows were new.
    @discardableResult
    public func write(_ rows: [NotificationRow], nextOffsets: [KafkaTopicPartition: Int64]) async throws -> Int {
        let logger = self.logger
        let offsetStore = self.offsetStore
        return try await postgres.withTransaction(logger: logger) { connection in
            var inserted = 0
            if !rows.isEmpty {
                // Ids must become visible in increasing order: the SSE stream and `?after=` readers resume after the
                // last id they saw, so a lower id committed after a higher one would be skipped for good. Writers
                // (several instances in one group) take turns from their first id to their commit.
                _ = try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(Self.idOrderLock))", logger: logger)
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
            try await offsetStore.advance(nextOffsets, on: connection)
            return inserted
        }
    }
}
