import Foundation
import PostgresNIO
@testable import SagaProcessorApp
import Testing
import TestSupport

@Suite("Saga housekeeping: finished sagas are deleted after the retention period")
struct SagaHousekeepingTests {
    @Test("finished and older than the retention: deleted; recent or still open: kept")
    func retention() async throws {
        let saga = "retention-\(UUID().uuidString.lowercased())"
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            _ = try await client.query(
                """
                INSERT INTO saga_state (saga, saga_key, state, finished, updated_at) VALUES
                    (\(saga), 'old-finished', '{}', true, now() - interval '200 hours'),
                    (\(saga), 'new-finished', '{}', true, now()),
                    (\(saga), 'old-open', '{}', false, now() - interval '200 hours')
                """, logger: TestEnvironment.logger)
            try await SagaHousekeeping(
                postgres: client, metrics: SagaMetrics(), retentionHours: 168, logger: TestEnvironment.logger
            ).round()
            let rows = try await client.query(
                "SELECT saga_key FROM saga_state WHERE saga = \(saga) ORDER BY saga_key", logger: TestEnvironment.logger)
            var left: [String] = []
            for try await key in rows.decode(String.self) { left.append(key) }
            #expect(left == ["new-finished", "old-open"])
            _ = try await client.query("DELETE FROM saga_state WHERE saga = \(saga)", logger: TestEnvironment.logger)
        }
    }
}
