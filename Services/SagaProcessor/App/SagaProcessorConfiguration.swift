import Shared

/// SagaProcessor settings beyond the shared infrastructure ones.
public struct SagaProcessorConfiguration: Sendable {
    /// `SAGA_PROCESSOR_PORT` (default 8092): health and metrics.
    public var port: Int

    public init(environment env: inout EnvironmentReader) {
        port = env.int("SAGA_PROCESSOR_PORT", default: 8092, range: 1...65535)
    }
}
