import HTTPTypes
import Hummingbird
import JWTAuth
import Metrics

/// Turns the request's bearer token into an ``AuthenticatedUser`` (401 with the reason's code otherwise).
struct Authenticator: Sendable {
    let verifier: JWTVerifier
    private let failures = Counter(label: "gateway_auth_failures_total")

    init(verifier: JWTVerifier) {
        self.verifier = verifier
    }

    /// - Parameter allowQueryToken: accept `?access_token=` too (browsers' `EventSource` cannot set headers).
    func authenticate(_ request: Request, allowQueryToken: Bool = false) async throws -> AuthenticatedUser {
        var token: Substring?
        if let header = request.headers.value(of: .authorization) {
            guard let bearer = Self.bearerToken(header) else {
                failures.increment()
                throw APIError.unauthorized("the Authorization header must be: Bearer <token>", code: "malformed_token")
            }
            token = bearer
        } else if allowQueryToken, let query = request.uri.queryParameters["access_token"] {
            token = query
        }
        guard let token, !token.isEmpty else {
            failures.increment()
            throw APIError.unauthorized("a bearer token is required", code: "missing_token")
        }
        do {
            return try await verifier.verify(String(token))
        } catch {
            failures.increment()
            throw APIError.unauthorized(error.message, code: error.code.description)
        }
    }

    /// The token of `Bearer <token>` (the scheme in any case), without splitting or lowercasing copies.
    static func bearerToken(_ header: String) -> Substring? {
        let scheme = "bearer "
        guard header.utf8.count > scheme.utf8.count, header.hasPrefix(caseInsensitive: scheme) else { return nil }
        return header[header.utf8.index(header.startIndex, offsetBy: scheme.utf8.count)...]
    }
}
