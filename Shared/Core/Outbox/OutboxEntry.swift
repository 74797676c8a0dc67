import AvroKit
import Foundation
import KafkaKit
import Logging
import PostgresNIO

/// One record waiting in the `outbox` table: encoded and framed already, so the relay publishes bytes and never needs
/// the schema registry.
public struct OutboxEntry: Sendable {
    public var eventID: UUID
    public var record: KafkaProducerRecord

    public init(eventID: UUID, record: KafkaProducerRecord) {
        self.eventID = eventID
        self.record = record
    }
}

/// Writes outbox rows inside the caller's transaction: the outputs become durable exactly when the state change that
/// caused them commits.
public enum Outbox {
    /// Appends `entries` in order. An entry whose `event_id` is already there is skipped: a handler that runs twice
    /// for one cause (deterministic event ids) leaves one row.
    /// - Returns: how many rows were new.
    @discardableResult
    public static func append(_ entries: [OutboxEntry], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        guard !entries.isEmpty else { return 0 }
        let ids = entries.map { $0.eventID.uuidString.lowercased() }
        let topics = entries.map(\.record.topic)
        let keys = entries.map { Data($0.record.key ?? []).base64EncodedString() }
        let values = entries.map { Data($0.record.value).base64EncodedString() }
        let headers = entries.map { entry in
            JSONValue.object(JSONObject(entry.record.headers.map { ($0.key, JSONValue.string($0.stringValue ?? "")) })).jsonString()
        }
        let result = try await connection.query(
            """
            INSERT INTO outbox (event_id, topic, record_key, value, headers)
            SELECT i::uuid, t, decode(k, 'base64'), decode(v, 'base64'), h::jsonb
            FROM unnest(\(ids)::text[], \(topics)::text[], \(keys)::text[], \(values)::text[], \(headers)::text[])
                 WITH ORDINALITY AS x(i, t, k, v, h, n)
            ORDER BY n
            ON CONFLICT (event_id) DO NOTHING
            RETURNING id
            """, logger: logger)
        var inserted = 0
        for try await _ in result { inserted += 1 }
        return inserted
    }
}
