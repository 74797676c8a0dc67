import AvroKit
import PostgresNIO
import Shared

/// An input event as a MediaService handler sees it.
struct MediaInput: Sendable {
    var topic: String
    var payload: JSONValue
    /// The input's `event-id` (or `topic:partition:offset`); the outputs' event ids derive from it.
    var eventID: String
    var correlationID: String
}

/// An event to emit.
struct MediaOutput: Sendable {
    var topic: String
    var key: String
    var payload: JSONValue

    init(topic: String, key: String, _ payload: some Encodable) throws {
        self.topic = topic
        self.key = key
        self.payload = try JSONValue(encoding: payload)
    }
}

/// What a handler decided: events to emit and rows to change, committed together with the consumed offset.
struct MediaOutcome: Sendable {
    var outputs: [MediaOutput] = []
    var statements: [PostgresQuery] = []

    static let none = MediaOutcome()
}

/// One input topic's handling. The store side (presigning, moving, deleting) happens in `handle` and must be
/// idempotent: after a crash before the commit, the same input is handled again and must converge on the same
/// result; its outputs then carry the same event ids.
protocol MediaHandler: Sendable {
    var topic: String { get }
    /// - Throws: `InvalidEventError`/`DecodingError` for an input that can never be handled (dead-lettered); any
    ///   other error is transient and retried.
    func handle(_ input: MediaInput) async throws -> MediaOutcome
}
