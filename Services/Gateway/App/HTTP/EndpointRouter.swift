import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

/// One HTTP endpoint the gateway serves, as the OpenAPI document names it (`{param}` style).
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var description: String { "\(method) \(path)" }
}

/// Registers routes on the router and remembers them, so the OpenAPI test can prove the document lists exactly
/// what is served. Used only while the router is being built.
final class EndpointRouter {
    let router: Router<GatewayRequestContext>
    private let recorded = NIOLockedValueBox<[Endpoint]>([])

    init(router: Router<GatewayRequestContext>) {
        self.router = router
    }

    var endpoints: [Endpoint] { recorded.withLockedValue { $0 } }

    func get(
        _ path: String,
        use handler: @escaping @Sendable (Request, GatewayRequestContext) async throws -> Response
    ) {
        record("GET", path)
        router.get(RouterPath(path), use: handler)
    }

    func post(
        _ path: String,
        use handler: @escaping @Sendable (Request, GatewayRequestContext) async throws -> Response
    ) {
        record("POST", path)
        router.post(RouterPath(path), use: handler)
    }

    /// Records routes registered elsewhere (e.g. the shared health routes).
    func record(_ method: String, _ path: String) {
        let openAPIPath = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
        recorded.withLockedValue { $0.append(Endpoint(method: method, path: openAPIPath)) }
    }
}
