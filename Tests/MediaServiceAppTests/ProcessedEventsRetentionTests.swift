import Foundation
@testable import MediaServiceApp
import PostgresNIO
import Testing
import TestSupport

@Suite("MediaService: applied input ids are forgotten after the retention period")
struct ProcessedEventsRetentionTests {
    @Test("ids older than the retention go; newer ones and other consumers' stay")
    func retention() async throws {
        let consumer = "retention-\(UUID().uuidString.lowercased())"
        let other = "\(consumer)-other"
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            _ = try await client.query(
                """
                INSERT INTO processed_events (consumer, event_id, processed_at) VALUES
                    (\(consumer), 'old', now() - interval '200 hours'), (\(consumer), 'new', now()),
                    (\(other), 'old', now() - interval '200 hours')
                """, logger: TestEnvironment.logger)
            try await ProcessedEventsRetention(
                postgres: client, consumer: consumer, retentionHours: 168, interval: .seconds(600), logger: TestEnvironment.logger
            ).round()
            let rows = try await client.query(
                "SELECT consumer, event_id FROM processed_events WHERE consumer IN (\(consumer), \(other)) ORDER BY 1, 2",
                logger: TestEnvironment.logger)
            var left: [String] = []
            for try await (owner, id) in rows.decode((String, String).self) { left.append("\(owner == consumer ? "self" : "other"):\(id)") }
            #expect(left == ["self:new", "other:old"])
            _ = try await client.query(
                "DELETE FROM processed_events WHERE consumer IN (\(consumer), \(other))", logger: TestEnvironment.logger)
        }
    }
}
