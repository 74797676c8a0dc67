import HTTPTypes
import Hummingbird
import JWTAuth
import Logging

/// Per-request state: the request id (accepted from `X-Request-ID` or generated) and, once authenticated, the user.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var requestID: String = ""
    public var user: AuthenticatedUser?
    /// The `{route}` segment of an ingest path when ``IngestFastPath`` matched it (the router's parameters hold it
    /// otherwise).
    var routeKey: Substring?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The authenticated user, or a 401.
    func requireUser() throws -> AuthenticatedUser {
        guard let user else { throw APIError.unauthorized("authentication required") }
        return user
    }
}
