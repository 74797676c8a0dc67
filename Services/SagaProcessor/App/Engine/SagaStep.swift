import AvroKit
import Foundation
import Logging
import PostgresNIO
import Shared

/// What one handler invocation may do to its saga instance, collected and written by the engine in the handler's
/// transaction: read and replace the state, schedule and cancel timers, emit outputs (into the outbox), and run its
/// own statements (ledger, `media_files`) on the same connection.
///
/// Not `Sendable`: it lives inside one transaction on one task.
public final class SagaStep {
    public let saga: String
    public let key: String
    /// When the step runs (the time written into outputs).
    public let now: Date
    /// The open transaction, for a saga's own statements.
    public let connection: PostgresConnection
    public let logger: Logger

    /// What makes this step's outputs' event ids: the input's event id, or the timer's identity.
    let cause: String
    let correlationID: String
    let causationID: String?
    let codec: AvroEventCodec
    let metrics: SagaMetrics

    private(set) var stateJSON: JSONValue
    private(set) var finished: Bool
    private(set) var stateChanged = false
    private(set) var timersToSet: [(name: String, dueAt: Date, payload: JSONValue)] = []
    private(set) var timersToCancel: [String] = []
    private(set) var outputs: [OutboxEntry] = []

    init(
        saga: String, key: String, now: Date, state: JSONValue, finished: Bool, cause: String, correlationID: String,
        causationID: String?, connection: PostgresConnection, codec: AvroEventCodec, metrics: SagaMetrics, logger: Logger
    ) {
        self.saga = saga
        self.key = key
        self.now = now
        self.stateJSON = state
        self.finished = finished
        self.cause = cause
        self.correlationID = correlationID
        self.causationID = causationID
        self.connection = connection
        self.codec = codec
        self.metrics = metrics
        self.logger = logger
    }

    /// The instance's state; nil when it has none yet.
    public func state<State: Decodable>(_ type: State.Type) throws -> State? {
        stateJSON == .null ? nil : try stateJSON.decode(as: State.self)
    }

    /// Replaces the state. `finished` marks the saga ended: its row stays as a tombstone for late duplicates.
    public func setState(_ state: some Encodable, finished: Bool = false) throws {
        stateJSON = try JSONValue(encoding: state)
        self.finished = finished
        stateChanged = true
    }

    /// Arms (or re-arms) the timer `name` to fire `delay` from now.
    public func schedule(_ name: String, after delay: Duration, payload: JSONValue = .null) {
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        timersToCancel.removeAll { $0 == name }
        timersToSet.removeAll { $0.name == name }
        timersToSet.append((name, now.addingTimeInterval(seconds), payload))
    }

    /// Disarms the timer `name` (nothing happens if it is not armed).
    public func cancel(_ name: String) {
        timersToSet.removeAll { $0.name == name }
        timersToCancel.append(name)
    }

    /// Emits an output: encoded by the topic's schema now, written to the outbox with the state, published after
    /// commit. Its event id is derived from the cause, so a re-run of this step emits the same id.
    public func emit(topic: String, key: String, _ payload: some Encodable) async throws {
        let ordinal = outputs.count
        let eventID = UUID(deterministicFrom: "\(saga)|\(self.key)|\(cause)|\(topic)|\(ordinal)")
        let event = OutgoingEvent(
            topic: topic, key: key, payload: try JSONValue(encoding: payload), eventID: eventID,
            correlationID: correlationID, causationID: causationID)
        outputs.append(OutboxEntry(eventID: eventID, record: try await codec.record(for: event)))
    }

    /// Another saga's state, read without locking (for facts it holds, e.g. the intent behind an upload).
    public func peek<State: Decodable>(saga other: String, key otherKey: String, as type: State.Type) async throws -> State? {
        let rows = try await connection.query(
            "SELECT state::text FROM saga_state WHERE saga = \(other) AND saga_key = \(otherKey)", logger: logger)
        for try await text in rows.decode(String.self) {
            let json = try JSONValue.parse(text)
            return json == .null ? nil : try json.decode(as: State.self)
        }
        return nil
    }

    /// Counts a saga outcome (started, completed, expired, …) in the metrics.
    public func count(_ outcome: SagaOutcome) { metrics.count(outcome, saga: saga) }
}

/// Saga lifecycle outcomes, counted per saga.
public enum SagaOutcome: String, Sendable {
    case started, completed, rejected, expired, retried
    case deadLettered = "dead_lettered"
    case duplicate
}
