import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Shared

/// Periodic gauges (open sagas, timers due and armed) and retention: finished sagas older than the retention
/// period are deleted (their tombstones have done their job by then).
public struct SagaHousekeeping: Service {
    let postgres: PostgresClient
    let metrics: SagaMetrics
    let retentionHours: Int
    let interval: Duration
    let logger: Logger

    public init(postgres: PostgresClient, metrics: SagaMetrics, retentionHours: Int, interval: Duration = .seconds(10), logger: Logger) {
        self.postgres = postgres
        self.metrics = metrics
        self.retentionHours = retentionHours
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatEvery(interval, logger: logger, failure: "saga housekeeping failed; trying again next round") {
            try await round()
        }
    }

    func round() async throws {
        let open = try await postgres.query("SELECT saga, count(*) FROM saga_state WHERE NOT finished GROUP BY saga", logger: logger)
        for try await (saga, count) in open.decode((String, Int64).self) { metrics.recordOpen(count, saga: saga) }
        let timers = try await postgres.query(
            "SELECT count(*) FILTER (WHERE due_at <= now()), count(*) FROM saga_timers", logger: logger)
        for try await (due, armed) in timers.decode((Int64, Int64).self) {
            metrics.timersDue.record(due)
            metrics.timersArmed.record(armed)
        }
        _ = try await postgres.query(
            """
            DELETE FROM saga_state WHERE (saga, saga_key) IN (
                SELECT saga, saga_key FROM saga_state
                WHERE finished AND updated_at < now() - make_interval(hours => \(Int32(clamping: retentionHours))) LIMIT 10000)
            """, logger: logger)
    }
}
