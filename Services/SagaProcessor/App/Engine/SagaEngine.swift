import AvroKit
import Foundation
import KafkaKit
import Logging
import PostgresNIO
import Shared

/// Runs sagas: routes each input to the sagas that consume its topic and applies each under its instance's row lock,
/// and fires due timers the same way. Stateless itself; every call works inside a transaction the caller owns.
public struct SagaEngine: Sendable {
    let sagas: [any Saga]
    let codec: AvroEventCodec
    let metrics: SagaMetrics
    let logger: Logger

    public init(sagas: [any Saga], codec: AvroEventCodec, metrics: SagaMetrics = SagaMetrics(), logger: Logger) {
        self.sagas = sagas
        self.codec = codec
        self.metrics = metrics
        self.logger = logger
    }

    /// Every topic some saga consumes.
    public var topics: [String] { Array(Set(sagas.flatMap(\.topics))).sorted() }

    /// An input routed to one saga instance.
    struct Routed: Sendable {
        var saga: any Saga
        var key: String
        var input: SagaInput
    }

    /// Validates an input for every saga that consumes its topic.
    /// - Throws: the first saga's validation error (`InvalidEventError`, `DecodingError`): the input is hopeless.
    func route(_ input: SagaInput) throws -> [Routed] {
        try sagas.filter { $0.topics.contains(input.topic) }.map { Routed(saga: $0, key: try $0.key(for: input), input: input) }
    }

    /// Applies routed inputs in order inside the caller's transaction.
    /// - Returns: how many outbox rows were written.
    func apply(_ routed: [Routed], on connection: PostgresConnection) async throws -> Int {
        var written = 0
        for item in routed {
            let (state, finished) = try await SagaStore.lock(saga: item.saga.name, key: item.key, on: connection, logger: logger)
            let step = SagaStep(
                saga: item.saga.name, key: item.key, now: Date(), state: state, finished: finished,
                cause: "event:\(item.input.eventID)", correlationID: item.input.correlationID,
                causationID: item.input.eventID, connection: connection, codec: codec, metrics: metrics, logger: logger)
            try await item.saga.handle(item.input, in: step)
            written += try await SagaStore.persist(step)
        }
        return written
    }

    /// A due timer claimed by the firer.
    struct DueTimer: Sendable {
        var saga: String
        var key: String
        var name: String
        var dueAt: Date
        /// As stored: `{correlation_id, payload}`.
        var stored: JSONValue
    }

    /// Fires one claimed timer inside the caller's transaction (which holds the timer row's lock).
    /// - Returns: nil when the instance is busy (the timer stays armed and is tried again), else outbox rows written.
    func fire(_ timer: DueTimer, on connection: PostgresConnection) async throws -> Int? {
        guard let saga = sagas.first(where: { $0.name == timer.saga }) else {
            logger.error("timer for an unknown saga dropped", metadata: ["saga": "\(timer.saga)", "key": "\(timer.key)"])
            try await deleteTimer(timer, on: connection)
            return 0
        }
        guard let (state, finished) = try await SagaStore.lockIfFree(saga: timer.saga, key: timer.key, on: connection, logger: logger)
        else { return nil }
        try await deleteTimer(timer, on: connection)
        let step = SagaStep(
            saga: timer.saga, key: timer.key, now: Date(), state: state, finished: finished,
            cause: "timer:\(timer.name)@\(Int64(timer.dueAt.timeIntervalSince1970 * 1000))",
            correlationID: timer.stored["correlation_id"]?.stringValue ?? "\(timer.saga):\(timer.key)", causationID: nil, connection: connection, codec: codec,
            metrics: metrics, logger: logger)
        try await saga.fire(FiredTimer(name: timer.name, dueAt: timer.dueAt, payload: timer.stored["payload"] ?? .null), in: step)
        return try await SagaStore.persist(step)
    }

    private func deleteTimer(_ timer: DueTimer, on connection: PostgresConnection) async throws {
        _ = try await connection.query(
            "DELETE FROM saga_timers WHERE saga = \(timer.saga) AND saga_key = \(timer.key) AND timer_name = \(timer.name)",
            logger: logger)
    }
}
