import Metrics
import NIOConcurrencyHelpers

/// The SagaProcessor's metrics: outcomes per saga, timers, and the consume loop.
public final class SagaMetrics: Sendable {
    private let outcomes = NIOLockedValueBox<[String: Counter]>([:])
    let recordsHandled = Counter(label: "saga_records_total")
    let deadLettered = Counter(label: "saga_dead_lettered_records_total")
    let retries = Counter(label: "saga_retries_total")
    let batchDuration = Metrics.Timer(label: "saga_batch_duration_seconds")
    let timersFired = Counter(label: "saga_timers_fired_total")
    let timersBusy = Counter(label: "saga_timers_deferred_total")
    let timerLag = Metrics.Timer(label: "saga_timer_lag_seconds")
    let timersDue = Gauge(label: "saga_timers_due")
    let timersArmed = Gauge(label: "saga_timers_armed")

    public init() {}

    /// `saga_outcomes_total{saga, outcome}`: started, completed, expired, dead-lettered, …
    func count(_ outcome: SagaOutcome, saga: String) {
        let key = "\(saga)|\(outcome.rawValue)"
        let counter = outcomes.withLockedValue { counters in
            if let existing = counters[key] { return existing }
            let created = Counter(label: "saga_outcomes_total", dimensions: [("saga", saga), ("outcome", outcome.rawValue)])
            counters[key] = created
            return created
        }
        counter.increment()
    }

    /// `saga_open{saga}`: instances not finished yet.
    func recordOpen(_ count: Int64, saga: String) {
        Gauge(label: "saga_open", dimensions: [("saga", saga)]).record(count)
    }
}
