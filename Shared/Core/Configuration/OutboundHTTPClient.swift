import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The services' client for outbound HTTP (schema registry, object store, JWKS), with connect and read timeouts:
    /// `execute(_:timeout:)`'s deadline ends once a response's head has arrived, and reading its body has none of its
    /// own — a peer that sends headers and then stalls would hold the request (or a key refresh) for ever.
    public static func outbound(connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30)) -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: Configuration(
                timeout: Configuration.Timeout(connect: TimeAmount(connectTimeout), read: TimeAmount(readTimeout))))
    }
}
