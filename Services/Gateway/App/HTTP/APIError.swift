import AvroKit
import HTTPTypes
import Hummingbird
import NIOCore

/// The one error shape every endpoint returns: `{"error":{"code","message","details","request_id"}}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// Stable machine-readable code, e.g. `schema_violation`.
    public var code: String
    public var message: String
    /// Extra facts, e.g. the offending field path.
    public var details: JSONValue?
    /// Extra response headers (Retry-After, rate-limit headers).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String, message: String, details: JSONValue? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? GatewayRequestContext)?.requestID ?? request.headers.value(of: .requestID)
        return response(requestID: requestID)
    }

    func body(requestID: String?) -> JSONValue {
        var error: JSONObject = ["code": .string(code), "message": .string(message)]
        error["details"] = details ?? .null
        error["request_id"] = requestID.map(JSONValue.string) ?? .null
        return ["error": .object(error)]
    }

    func response(requestID: String?) -> Response {
        RequestReading.json(status, bytes: body(requestID: requestID).jsonBytes(), headers: headers)
    }
}

extension APIError {
    static func badRequest(_ code: String, _ message: String, details: JSONValue? = nil) -> APIError {
        APIError(.badRequest, code: code, message: message, details: details)
    }

    static func unauthorized(_ message: String, code: String = "unauthorized") -> APIError {
        APIError(.unauthorized, code: code, message: message, headers: [.wwwAuthenticate: "Bearer"])
    }

    static func notFound(_ message: String, code: String = "not_found") -> APIError {
        APIError(.notFound, code: code, message: message)
    }

    static func unavailable(_ message: String, code: String, retryAfterSeconds: Int) -> APIError {
        APIError(.serviceUnavailable, code: code, message: message, headers: [.retryAfter: String(retryAfterSeconds)])
    }

    /// A schema violation, naming the field path.
    static func schemaViolation(_ error: AvroError, topic: String) -> APIError {
        APIError(
            .unprocessableContent, code: "schema_violation", message: error.message,
            details: ["field": .string(error.path), "reason": .string(error.code.description), "topic": .string(topic)])
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-ID")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplay = HTTPField.Name("Idempotent-Replayed")!
    static let webhookSecret = HTTPField.Name("X-Webhook-Secret")!
    static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
