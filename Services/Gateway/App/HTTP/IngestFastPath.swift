import HTTPTypes
import Hummingbird

/// The gateway's responder. `POST /api/v1/events/{route}` and `POST /api/v1/events/{route}/batch` carry nearly
/// all of the traffic, so they are recognised by their fixed shape instead of by the router's path trie, which
/// splits the path into substrings, compares them node by node and stores the parameter in a dictionary: about 4%
/// of the gateway's CPU per event. Everything else, including any request to those paths the shape check does not
/// take (another method, a trailing slash), goes to the router, which also has the ingest routes registered and so
/// answers exactly as before.
///
/// Both ways run the same middleware chain (the router's, built from the same group), so request ids, CORS and
/// metrics apply identically; the endpoint path the metrics label requests with is the router's too.
struct IngestFastPath: HTTPResponder {
    typealias Context = GatewayRequestContext

    private let router: RouterResponder<Context>
    private let single: any HTTPResponder<Context>
    private let batch: any HTTPResponder<Context>

    static let prefix = "/api/v1/events/"
    static let batchSuffix = "/batch"
    /// As the router renders the registered paths (metrics label requests with these).
    static let singleEndpoint = "/api/v1/events/{route}"
    static let batchEndpoint = "/api/v1/events/{route}/batch"

    /// - Parameters:
    ///   - single: handles `POST /api/v1/events/{route}`; `context.routeKey` holds the route.
    ///   - batch: handles `POST /api/v1/events/{route}/batch`.
    init(
        router: Router<Context>,
        single: @escaping @Sendable (Request, Context) async throws -> Response,
        batch: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        self.router = router.buildResponder()
        self.single = router.middlewares.constructResponder(finalResponder: CallbackResponder(callback: single))
        self.batch = router.middlewares.constructResponder(finalResponder: CallbackResponder(callback: batch))
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .post, let match = Self.match(request.uri.path) else {
            return try await router.respond(to: request, context: context)
        }
        var context = context
        context.routeKey = match.route
        context.coreContext.endpointPath.value = match.isBatch ? Self.batchEndpoint : Self.singleEndpoint
        do {
            return try await (match.isBatch ? batch : single).respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            // As the router does for errors that escape the middleware chain.
            return try error.response(from: request, context: context)
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
