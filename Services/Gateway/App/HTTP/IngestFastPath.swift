import HTTPTypes
import Hummingbird

/// The gateway's responder. `POST /api/v1/events/{route}` and `POST /api/v1/events/{route}/batch` carry nearly
/// all of the traffic, so they are recognised by their fixed shape instead of by the router's path trie, which
/// splits the path into substrings, compares them node by node and stores the parameter in a dictionary: about 4%
/// of the gateway's CPU per event. Everything else, including any request to those paths the shape check does not
/// take (another method, a trailing slash), goes to the router, which also has the ingest routes registered and so
/// answers exactly as before.
///
/// Both ways run the same middleware: the router's only one, ``EdgeMiddleware``, which the fast path calls directly
/// (no responder chain around it), so request ids, CORS and metrics apply identically; the endpoint path the
/// metrics label requests with is the router's too.
///
/// A request to a served path with a method it does not answer gets `405` with `Allow` (``AllowedMethods``), which
/// the router cannot tell from an unknown path (it answers 404 to both). CORS preflights still go to the edge.
struct IngestFastPath: HTTPResponder {
    typealias Context = GatewayRequestContext
    typealias Handler = @Sendable (Request, Context) async throws -> Response

    private let router: RouterResponder<Context>
    private let edge: EdgeMiddleware
    private let single: Handler
    private let batch: Handler
    private let allowed: AllowedMethods

    static let prefix = "/api/v1/events/"
    static let batchSuffix = "/batch"
    /// As the router renders the registered paths (metrics label requests with these).
    static let singleEndpoint = "/api/v1/events/{route}"
    static let batchEndpoint = "/api/v1/events/{route}/batch"

    /// - Parameters:
    ///   - router: every route, with `edge` as its one middleware.
    ///   - single: handles `POST /api/v1/events/{route}`; `context.routeKey` holds the route.
    ///   - batch: handles `POST /api/v1/events/{route}/batch`.
    ///   - endpoints: every endpoint the router serves (for the 405s).
    init(
        router: Router<Context>, edge: EdgeMiddleware, single: @escaping Handler, batch: @escaping Handler,
        endpoints: [Endpoint]
    ) {
        self.router = router.buildResponder()
        self.edge = edge
        self.single = single
        self.batch = batch
        self.allowed = AllowedMethods(endpoints)
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .post, let match = Self.match(request.uri.path) else {
            return try await elsewhere(request, context: context)
        }
        var context = context
        context.routeKey = match.route
        context.coreContext.endpointPath.value = match.isBatch ? Self.batchEndpoint : Self.singleEndpoint
        return await edge.respond(to: request, context: context, next: match.isBatch ? batch : single)
    }

    /// Everything but the ingest paths: the router, or 405 for a served path asked with a method it does not answer.
    private func elsewhere(_ request: Request, context: Context) async throws -> Response {
        guard !EdgeMiddleware.isPreflight(request), let allowed = allowed.match(request.uri.path), !allowed.methods.contains(request.method) else {
            return try await router.respond(to: request, context: context)
        }
        context.coreContext.endpointPath.value = allowed.template  // a shared box: the edge's metrics read it
        return await edge.respond(to: request, context: context) { request, _ in
            throw APIError.methodNotAllowed(request.method, allowed)
        }
    }

    /// The route key of an ingest path: one non-empty segment after the prefix, optionally followed by `/batch`.
    static func match(_ path: String) -> (route: Substring, isBatch: Bool)? {
        guard path.utf8.starts(with: prefix.utf8) else { return nil }
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else {
            return rest.isEmpty ? nil : (Substring(rest), false)
        }
        let route = rest[..<slash]
        guard !route.isEmpty, rest[slash...].elementsEqual(batchSuffix.utf8) else { return nil }
        return (Substring(route), true)
    }
}
