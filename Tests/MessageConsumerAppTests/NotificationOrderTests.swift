import AvroKit
import Foundation
import MessageConsumerApp
import PostgresNIO
import Shared
import Testing
import TestSupport

/// Readers resume after the last id they saw, so a row must never become visible after a row with a higher id.
@Suite("Notification ids become visible in order")
struct NotificationOrderTests {
    @Test("a batch write waits while another writer holds the id-order lock, then commits")
    func writersTakeTurns() async throws {
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            let user = TestEnvironment.uniqueName("order")
            let store = NotificationStore(postgres: client, groupID: TestEnvironment.uniqueName("order"), logger: TestEnvironment.logger)
            let row = NotificationRow(
                userID: user, eventType: "identity.login", payload: ["email": "o@example.com"], eventTime: "2026-11-23T10:00:00Z",
                visibility: "private", recipientID: nil, sourceEventID: UUID().uuidString)
            func visible() async throws -> Int {
                for try await count in try await client.query(
                    "SELECT count(*)::int FROM user_notifications WHERE user_id = \(user)", logger: TestEnvironment.logger
                ).decode(Int.self) { return count }
                return 0
            }
            try await client.withConnection { other in
                // Another writer, between its first id and its commit.
                _ = try await other.query("BEGIN", logger: TestEnvironment.logger)
                _ = try await other.query("SELECT pg_advisory_xact_lock(\(NotificationStore.idOrderLock))", logger: TestEnvironment.logger)
                let writer = Task { try await store.write([row], nextOffsets: [:]) }
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await visible() == 0, "the write did not wait for the other writer")
                _ = try await other.query("COMMIT", logger: TestEnvironment.logger)
                #expect(try await writer.value == 1)
                #expect(try await visible() == 1)
            }
        }
    }
}
