import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Shared

/// Accepts a client's `X-Request-ID` (if sane) or generates one; puts it in the context, the response and (through
/// ``RequestScope``) every log line written while serving the request, and renders any error that escapes the
/// handlers in the one JSON error shape.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let supplied = request.headers.value(of: .requestID).flatMap { $0.count <= 128 && $0.allSatisfy(\.isRequestIDCharacter) ? $0 : nil }
        let requestID = supplied ?? UUID.timeOrdered().lowercasedString
        context.requestID = requestID
        // Logs written while the request is served carry its id through the task, not through a logger copy.
        return try await RequestScope.$requestID.withValue(requestID) {
            try await respond(request, context: context, requestID: requestID, next: next)
        }
    }

    private func respond(
        _ request: Request, context: Context, requestID: String, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = error.response(requestID: requestID)
        } catch let error as HTTPError {
            // Hummingbird's own errors (413 from body limits, 404 from the router, 405, …) in our shape.
            response = APIError(
                error.status, code: Self.code(for: error.status), message: error.body ?? error.status.reasonPhrase,
                headers: error.headers
            ).response(requestID: requestID)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            response = APIError(.internalServerError, code: "internal_error", message: "internal error")
                .response(requestID: requestID)
        }
        response.headers[.requestID] = requestID
        return response
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
