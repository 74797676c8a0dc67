import AvroKit
import Foundation
import Shared

/// An input event as a saga sees it.
public struct SagaInput: Sendable {
    public var topic: String
    public var payload: JSONValue
    /// The input's `event-id` header (or `topic:partition:offset` when the producer sent none).
    public var eventID: String
    /// The flow's correlation id, carried onto every output.
    public var correlationID: String

    public init(topic: String, payload: JSONValue, eventID: String, correlationID: String) {
        self.topic = topic
        self.payload = payload
        self.eventID = eventID
        self.correlationID = correlationID
    }
}

/// A timer that came due.
public struct FiredTimer: Sendable {
    public var name: String
    public var dueAt: Date
    public var payload: JSONValue
}

/// One kind of keyed saga: its inputs, how an input finds its instance (the key), and what it does with an input or
/// a due timer. Handlers run inside the engine's transaction with the instance's state row locked; everything they
/// do through the ``SagaStep`` (state, timers, outputs, ledger writes) commits together with the consumed offset, or
/// not at all. A handler must therefore be a pure function of (state, input): it may run again after a crash.
public protocol Saga: Sendable {
    /// The `saga` column; stable across releases.
    var name: String { get }
    /// The topics it consumes.
    var topics: Set<String> { get }
    /// Validates `input` and names the instance it belongs to.
    /// - Throws: `InvalidEventError` (or a `DecodingError`) for an input that can never be handled.
    func key(for input: SagaInput) throws -> String
    func handle(_ input: SagaInput, in step: SagaStep) async throws
    func fire(_ timer: FiredTimer, in step: SagaStep) async throws
}
