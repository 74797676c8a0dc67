import Shared

/// MediaService settings beyond the shared infrastructure ones.
public struct MediaServiceConfiguration: Sendable {
    /// `MEDIA_SERVICE_PORT` (default 8090): health and metrics.
    public var port: Int

    public init(environment env: inout EnvironmentReader) {
        port = env.int("MEDIA_SERVICE_PORT", default: 8090, range: 1...65535)
    }
}
