import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Shared

/// What the gateway does around every request, as one middleware: each layer of Hummingbird's chain costs executor
/// switches and context copies on every request, so these share one.
///
/// - The request id: the client's `X-Request-ID` if sane, else a generated one; in the context, the response and
///   (through ``RequestScope``) every log line written while the request is served.
/// - The one JSON error shape for any error that escapes the handlers, Hummingbird's own (404, 405, 413) included.
/// - CORS by ``CORSPolicy``, on error responses too.
/// - ``RequestMetrics``.
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let cors: CORSPolicy
    let metrics: RequestMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        await respond(to: request, context: context, next: next)
    }

    /// ``handle(_:context:next:)`` without `throws`: every error becomes a response here.
    func respond(to request: Request, context: Context, next: (Request, Context) async throws -> Response) async
        -> Response
    {
        let started = ContinuousClock.now
        metrics.started()
        let supplied = request.headers.value(of: .requestID).flatMap {
            $0.count <= 128 && $0.allSatisfy(\.isRequestIDCharacter) ? $0 : nil
        }
        let requestID = supplied ?? UUID.timeOrdered().lowercasedString
        let origin = request.headers.value(of: .origin)
        var response: Response
        if let origin, Self.isPreflight(request) {
            response = cors.preflight(origin: origin)
        } else {
            var context = context
            context.requestID = requestID
            // Logs written while the request is served carry its id through the task, not through a logger copy.
            response = await RequestScope.$requestID.withValue(requestID) {
                await answer(request, context: context, requestID: requestID, next: next)
            }
            if let origin { cors.grant(to: origin, in: &response.headers) }
        }
        response.headers.append(HTTPField(name: .requestID, value: requestID))
        metrics.finished(route: context.endpointPath, method: request.method, status: response.status, since: started)
        return response
    }

    /// The handlers' response, or the error they threw as one.
    private func answer(
        _ request: Request, context: Context, requestID: String, next: (Request, Context) async throws -> Response
    ) async -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response(requestID: requestID)
        } catch let error as HTTPError {
            // Hummingbird's own errors (413 from body limits, 404 from the router, 405, …) in our shape.
            return APIError(
                error.status, code: Self.code(for: error.status), message: error.body ?? error.status.reasonPhrase,
                headers: error.headers
            ).response(requestID: requestID)
        } catch let error as any HTTPResponseError {
            // Other errors that name their status (NIO's too-many-bytes is a 413): the status, in our shape.
            return APIError(error.status, code: Self.code(for: error.status), message: error.status.reasonPhrase)
                .response(requestID: requestID)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalServerError, code: "internal_error", message: "internal error")
                .response(requestID: requestID)
        }
    }

    /// A CORS preflight (`OPTIONS` with `Origin`): answered here, never by a handler.
    static func isPreflight(_ request: Request) -> Bool {
        request.method == .options && request.headers.contains(.origin)
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "body_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .badRequest: "bad_request"
        default: "http_\(status.code)"
        }
    }
}

extension Character {
    fileprivate var isRequestIDCharacter: Bool {
        isASCII && (isLetter || isNumber || self == "-" || self == "_" || self == "." || self == ":")
    }
}
