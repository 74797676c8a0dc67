import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// Forgets applied input ids (`processed_events`) older than the retention period, a bounded batch at a time: they
/// guard against an input delivered again, which happens within minutes (a redelivery after a crash, a rebalance),
/// not weeks. (`media_object_events` is kept: the listing poller tells seen objects by it for as long as they exist.)
struct ProcessedEventsRetention: Service {
    let postgres: PostgresClient
    let consumer: String
    let retentionHours: Int
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeatEvery(interval, logger: logger, failure: "processed-events retention failed; trying again next round") {
            try await round()
        }
    }

    /// Deletes up to 10,000 expired ids.
    func round() async throws {
        _ = try await postgres.query(
            """
            DELETE FROM processed_events WHERE (consumer, event_id) IN (
                SELECT consumer, event_id FROM processed_events
                WHERE consumer = \(consumer) AND processed_at < now() - make_interval(hours => \(Int32(clamping: retentionHours))) LIMIT 10000)
            """, logger: logger)
    }
}
