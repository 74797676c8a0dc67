import HTTPTypes
import Hummingbird

/// Cross-origin access (`GATEWAY_CORS_ORIGINS`): `*` lets scripts on any origin read the gateway's responses; a list
/// lets only those origins, echoed back with `Vary: Origin`.
///
/// A preflight (`OPTIONS` with `Origin`) is answered 204 without reaching a handler. Every actual response to a
/// cross-origin request carries the grant, error responses included, and `Access-Control-Expose-Headers`: browsers
/// read that one from the actual response, not the preflight, before they let scripts see the request id, the
/// rate-limit headers or `Retry-After`.
struct CORSPolicy: Sendable {
    private let allowed: Set<String>?
    private let allowHeaders: String
    private let allowMethods: String
    private let exposeHeaders: String
    private let maxAge: String

    /// - Parameter origins: `["*"]` for any origin, else the allowed origins exactly as browsers send them.
    init(
        origins: [String], allowHeaders: [HTTPField.Name], allowMethods: [HTTPRequest.Method],
        exposeHeaders: [HTTPField.Name], maxAge: Duration
    ) {
        allowed = origins == ["*"] ? nil : Set(origins)
        self.allowHeaders = allowHeaders.map(\.canonicalName).joined(separator: ", ")
        self.allowMethods = allowMethods.map(\.rawValue).joined(separator: ", ")
        self.exposeHeaders = exposeHeaders.map(\.canonicalName).joined(separator: ", ")
        self.maxAge = String(maxAge.components.seconds)
    }

    /// The answer to a preflight from `origin`.
    func preflight(origin: String) -> Response {
        var headers = HTTPFields()
        headers.reserveCapacity(6)
        headers.append(HTTPField(name: .accessControlAllowMethods, value: allowMethods))
        headers.append(HTTPField(name: .accessControlAllowHeaders, value: allowHeaders))
        headers.append(HTTPField(name: .accessControlMaxAge, value: maxAge))
        grant(to: origin, in: &headers)
        return Response(status: .noContent, headers: headers)
    }

    /// Adds the grant for `origin` (if it has one) to a response's headers.
    func grant(to origin: String, in headers: inout HTTPFields) {
        guard let allowed else {
            headers.append(HTTPField(name: .accessControlAllowOrigin, value: "*"))
            headers.append(HTTPField(name: .accessControlExposeHeaders, value: exposeHeaders))
            return
        }
        // The answer depends on the origin, so caches must key on it, granted or not.
        headers.append(HTTPField(name: .vary, value: "Origin"))
        if allowed.contains(origin) {
            headers.append(HTTPField(name: .accessControlAllowOrigin, value: origin))
            headers.append(HTTPField(name: .accessControlExposeHeaders, value: exposeHeaders))
        }
    }
}
