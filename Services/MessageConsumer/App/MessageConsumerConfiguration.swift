import Shared

/// MessageConsumer settings beyond the shared infrastructure ones.
public struct MessageConsumerConfiguration: Sendable {
    /// `MESSAGE_CONSUMER_PORT` (default 8091): health and metrics.
    public var port: Int

    public init(environment env: inout EnvironmentReader) {
        port = env.int("MESSAGE_CONSUMER_PORT", default: 8091, range: 1...65535)
    }
}
