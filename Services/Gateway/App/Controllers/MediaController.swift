import AvroKit
import Foundation
import HTTPTypes
import Hummingbird
import JWTAuth
import Logging
import PostgresNIO
import Shared

/// The media saga entry points (`POST /api/v1/media/{upload,download,delete}-intent`) and the reads a client needs
/// (`GET /api/v1/credits`, `GET /api/v1/media/files`). The user id always comes from the token.
struct MediaController: Sendable {
    let ingestor: EventIngestor
    let authenticator: Authenticator
    let limiter: RequestLimiter
    let idempotency: IdempotencyGuard
    let configuration: GatewayConfiguration
    let postgres: PostgresClient
    let logger: Logger

    enum Intent: String, CaseIterable, Sendable {
        case upload, download, delete

        var topic: String { "internal.media.\(rawValue).intent" }
        /// Upload intents are about the user's credits; download/delete about one file.
        var keyField: String { self == .upload ? "user_id" : "file_path" }
    }

    func register(on router: EndpointRouter) {
        for intent in Intent.allCases {
            router.post("/api/v1/media/\(intent.rawValue)-intent") { request, context in
                try await self.intent(intent, request, context)
            }
        }
        router.get("/api/v1/credits") { request, context in try await credits(request, context) }
        router.get("/api/v1/media/files") { request, context in try await files(request, context) }
    }

    func intent(_ intent: Intent, _ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let user = try await authenticator.authenticate(request)
        return try await limiter.limited(
            subject: "user:\(user.userID)", limit: configuration.rateLimit, windowSeconds: configuration.rateWindowSeconds
        ) {
            let (bytes, body) = try await RequestReading.jsonBody(request, limit: configuration.maxBodyBytes)
            return try await idempotency.run(request: request, scope: "user:\(user.userID):\(intent.rawValue)-intent", body: bytes) {
                // `request_id` names the saga and is its correlation id too: the MediaService, which announces the
                // upload itself (not through the gateway), can only read it from the object key.
                let requestID = UUID.timeOrdered().lowercasedString
                let event = try validatedEvent(intent, body: body, user: user, requestID: requestID)
                let route = RouteDefinition(
                    key: "\(intent.rawValue)-intent", topic: intent.topic, bindings: ["user_id": "sub"], keyField: intent.keyField)
                let prepared = try await ingestor.prepare(
                    route: route, body: .object(event), user: user, correlationID: requestID,
                    traceparent: request.headers.value(of: .traceparent))
                let accepted = try await ingestor.produce(prepared)
                var response = accepted.json
                if case .object(var object) = response {
                    object["request_id"] = .string(requestID)
                    response = .object(object)
                }
                return IdempotencyGuard.Outcome(status: .accepted, body: response)
            }
        }
    }

    /// Checks the body and builds the intent event (reference §3.6.3, with the allow-list and size limit enforced
    /// and the server-assigned fields not overridable).
    func validatedEvent(_ intent: Intent, body: JSONValue, user: AuthenticatedUser, requestID: String) throws(APIError)
        -> JSONObject
    {
        guard case .object(let object) = body else { throw APIError.badRequest("invalid_body", "the body must be a JSON object") }
        for assigned in ["request_id", "request_time"] where object[assigned] != nil {
            throw APIError.badRequest("field_not_allowed", "\(assigned) is assigned by the server", details: ["field": .string("$.\(assigned)")])
        }
        if let supplied = object["user_id"], supplied != .null, supplied != .string(user.userID) {
            throw APIError(
                .forbidden, code: "identity_mismatch", message: "user_id is taken from your token",
                details: ["field": "$.user_id"])
        }
        var event: JSONObject = [
            "user_id": .string(user.userID), "request_id": .string(requestID),
            "request_time": .string(Timestamps.rfc3339(Date())),
        ]
        switch intent {
        case .upload:
            let name = try requiredString(object, "file_name", maxLength: 255)
            guard !name.contains("/"), !name.contains("\\"), name != ".", name != ".." else {
                throw invalid("file_name", "must be a plain file name without path separators")
            }
            let mediaType = try requiredString(object, "media_type", maxLength: 127).lowercased()
            guard configuration.mediaAllowedTypes.contains(mediaType) else {
                throw APIError(
                    .unprocessableContent, code: "unsupported_media_type",
                    message: "media_type \(mediaType) is not allowed",
                    details: ["field": "$.media_type", "allowed": .array(configuration.mediaAllowedTypes.sorted().map(JSONValue.string))])
            }
            let size: Int64
            switch object["file_size"] {
            case .int(let value): size = value
            case .double(let value) where value == value.rounded() && abs(value) < 9e15: size = Int64(value)
            case nil, .null?: throw invalid("file_size", "is required")
            default: throw invalid("file_size", "must be a whole number of bytes")
            }
            guard size > 0 else { throw invalid("file_size", "must be greater than 0") }
            guard size <= configuration.mediaMaxFileBytes else {
                throw APIError(
                    .unprocessableContent, code: "file_too_large",
                    message: "file_size exceeds the limit of \(configuration.mediaMaxFileBytes) bytes",
                    details: ["field": "$.file_size", "limit_bytes": .int(Int64(configuration.mediaMaxFileBytes))])
            }
            event["file_name"] = .string(name)
            event["media_type"] = .string(mediaType)
            event["file_size"] = .int(size)
        case .download, .delete:
            event["file_path"] = .string(try requiredString(object, "file_path", maxLength: 1024))
        }
        return event
    }

    private func requiredString(_ object: JSONObject, _ field: String, maxLength: Int) throws(APIError) -> String {
        guard let value = object[field], value != .null else { throw invalid(field, "is required") }
        guard case .string(let text) = value else { throw invalid(field, "must be a string") }
        guard !text.trimmingWhitespace().isEmpty else { throw invalid(field, "must not be empty") }
        guard text.count <= maxLength else { throw invalid(field, "must be at most \(maxLength) characters") }
        return text
    }

    private func invalid(_ field: String, _ problem: String) -> APIError {
        APIError.badRequest("invalid_field", "\(field) \(problem)", details: ["field": .string("$.\(field)")])
    }

    // MARK: - Reads

    func credits(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let user = try await authenticator.authenticate(request)
        var balance: Int64 = 0
        let rows = try await postgres.query(
            "SELECT balance::bigint FROM credit_balances WHERE user_id = \(user.userID)", logger: context.logger)
        for try await value in rows.decode(Int64.self) { balance = value }
        return RequestReading.json(.ok, ["user_id": .string(user.userID), "balance": .int(balance)])
    }

    func files(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let user = try await authenticator.authenticate(request)
        let page = try Pagination(request)
        var items: [JSONValue] = []
        let rows = try await postgres.query(
            """
            SELECT id, file_name, file_path, file_size, media_type, upload_time, created_at FROM media_files
            WHERE user_id = \(user.userID) AND status = 'active' AND id > \(page.after)
            ORDER BY id LIMIT \(page.limit)
            """, logger: context.logger)
        for try await (id, name, path, size, type, uploadTime, created) in rows.decode(
            (Int64, String, String, Int64, String, String, Date).self)
        {
            items.append([
                "id": .int(id), "file_name": .string(name), "file_path": .string(path), "file_size": .int(size),
                "media_type": .string(type), "upload_time": .string(uploadTime),
                "created_at": .string(Timestamps.rfc3339(created)),
            ])
        }
        return RequestReading.json(.ok, page.envelope("files", items))
    }
}
