import HTTPTypes
import Hummingbird

/// With a configured origin list (`GATEWAY_CORS_ORIGINS`), CORS answers only those origins: the CORS middleware
/// echoes the request's origin, and this removes the grant for any origin not on the list.
struct OriginAllowList: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        if let origin = request.headers.value(of: .origin), !origins.contains(origin) {
            response.headers[.accessControlAllowOrigin] = nil
            response.headers[.accessControlAllowCredentials] = nil
        }
        return response
    }
}
