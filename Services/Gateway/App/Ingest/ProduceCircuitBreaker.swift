import KafkaKit
import Metrics
import NIOConcurrencyHelpers

/// Fails fast while the broker is unreachable, so clients get `503 Retry-After` in milliseconds instead of waiting
/// for a delivery timeout.
///
/// Opens after `failureThreshold` consecutive transient produce failures, or at once when librdkafka reports all
/// brokers down. While open, requests are refused until the cool-down ends; then one request probes the broker with
/// a short metadata call: success closes the circuit, failure re-opens it.
final class ProduceCircuitBreaker: Sendable {
    private let producer: KafkaProducer
    private let failureThreshold: Int
    private let cooldown: Duration
    private let state = NIOLockedValueBox(State())
    private let stateGauge = Gauge(label: "gateway_broker_circuit_open")

    struct State {
        var consecutiveFailures = 0
        var openUntil: ContinuousClock.Instant?
        var probing = false
    }

    init(producer: KafkaProducer, failureThreshold: Int, cooldown: Duration) {
        self.producer = producer
        self.failureThreshold = failureThreshold
        self.cooldown = cooldown
    }

    var isOpen: Bool { state.withLockedValue { $0.openUntil != nil } }

    /// Seconds a refused client should wait.
    var retryAfterSeconds: Int { max(1, Int(cooldown.components.seconds)) }

    /// Whether a request may try to produce now.
    func admit() async -> Bool {
        if producer.brokersReportedDown { open() }
        enum Decision { case pass, refuse, probe }
        let now = ContinuousClock.now
        let decision: Decision = state.withLockedValue { state in
            guard let until = state.openUntil else { return .pass }
            if now < until || state.probing { return .refuse }
            state.probing = true
            return .probe
        }
        switch decision {
        case .pass: return true
        case .refuse: return false
        case .probe:
            let healthy = (try? await producer.checkBrokers(timeout: .milliseconds(500))) != nil
            if healthy {
                // A broker that came back may have lost the idempotent producer's state (Tansu's memory storage
                // does; then every send fails with "unknown producer id"). A fresh instance gets a new producer id;
                // against a broker that kept its state this costs one InitProducerId round trip.
                try? producer.resetClient(reason: "broker reachable again after an outage")
            }
            state.withLockedValue { state in
                state.probing = false
                if healthy {
                    state.openUntil = nil
                    state.consecutiveFailures = 0
                } else {
                    state.openUntil = ContinuousClock.now + cooldown
                }
            }
            stateGauge.record(healthy ? 0 : 1)
            return healthy
        }
    }

    func recordSuccess() {
        let closed = state.withLockedValue { state in
            defer {
                state.consecutiveFailures = 0
                state.openUntil = nil
            }
            return state.openUntil != nil
        }
        // A request admitted before the circuit opened can close it: the gauge follows.
        if closed { stateGauge.record(0) }
    }

    func recordFailure(_ error: KafkaError) {
        guard error.isTransient else { return }
        let opened = state.withLockedValue { state in
            state.consecutiveFailures += 1
            if state.consecutiveFailures >= failureThreshold, state.openUntil == nil {
                state.openUntil = ContinuousClock.now + cooldown
                return true
            }
            return false
        }
        if opened { stateGauge.record(1) }
    }

    private func open() {
        state.withLockedValue { state in
            if state.openUntil == nil { state.openUntil = ContinuousClock.now + cooldown }
        }
        stateGauge.record(1)
    }
}
