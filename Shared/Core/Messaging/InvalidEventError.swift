/// An event that decoded but cannot be processed (a required field empty, a direct message without a recipient).
/// Consumers park such records on their dead-letter topic instead of retrying them.
public struct InvalidEventError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
