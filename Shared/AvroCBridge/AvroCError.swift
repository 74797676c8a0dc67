/// A failure reported by avro-c, with the text of `avro_strerror()` captured at the failing call.
public struct AvroCError: Error, Sendable, CustomStringConvertible {
    /// The avro-c (or bridge) operation that failed, e.g. `avro_value_read`.
    public let operation: String
    /// The avro-c error message (or the bridge's own explanation).
    public let message: String

    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}
