import AvroKit
import Foundation
import HTTPTypes
import Hummingbird
import JWTAuth
import Shared

/// `POST /api/v1/events/{route}`, `POST /api/v1/events/{route}/batch` and `POST /webhooks/{route}`.
struct EventsController: Sendable {
    let routes: RoutesStore
    let ingestor: EventIngestor
    let authenticator: Authenticator
    let limiter: RequestLimiter
    let idempotency: IdempotencyGuard
    let configuration: GatewayConfiguration

    func register(on router: EndpointRouter) {
        router.post("/api/v1/events/:route") { request, context in try await single(request, context) }
        router.post("/api/v1/events/:route/batch") { request, context in try await batch(request, context) }
        router.post("/webhooks/:route") { request, context in try await webhook(request, context) }
    }

    // MARK: - Browser events (JWT)

    func single(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let user = try await authenticator.authenticate(request)
        let route = try externalRoute(context)
        return try await ingestOne(
            request, context, route: route, user: user, rateSubject: Self.rateSubject(user: user, route: route),
            rateLimit: route.rateLimit ?? configuration.rateLimit, scope: "user:\(user.userID):events:\(route.key)")
    }

    /// One event's way in, for browsers and webhooks alike: the rate limit, the body, the idempotency key, the
    /// produce.
    private func ingestOne(
        _ request: Request, _ context: GatewayRequestContext, route: RouteDefinition, user: AuthenticatedUser?,
        rateSubject: String, rateLimit: Int, scope: @autoclosure () -> String
    ) async throws -> Response {
        try await limiter.limited(
            subject: rateSubject, limit: rateLimit, windowSeconds: route.rateWindowSeconds ?? configuration.rateWindowSeconds
        ) {
            let bytes = try await RequestReading.body(request, limit: route.maxBodyBytes ?? configuration.maxBodyBytes)
            return try await idempotency.run(request: request, scope: scope(), body: bytes) {
                try await ingestor.accept(
                    route: route, json: bytes, user: user, correlationID: context.requestID,
                    traceparent: request.headers.value(of: .traceparent))
            }
        }
    }

    func batch(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let user = try await authenticator.authenticate(request)
        let route = try externalRoute(context)
        let limit = configuration.batchMaxEvents
        let bytes = try await RequestReading.body(
            request, limit: max(route.maxBodyBytes ?? configuration.maxBodyBytes, configuration.maxBodyBytes))
        let events = try BatchEvents(bytes)
        guard !events.isEmpty else { throw APIError.badRequest("empty_batch", "the batch has no events") }
        guard events.count <= limit else {
            throw APIError(
                .contentTooLarge, code: "batch_too_large", message: "a batch holds at most \(limit) events",
                details: ["limit": .int(Int64(limit)), "received": .int(Int64(events.count))])
        }
        return try await limiter.limited(
            subject: Self.rateSubject(user: user, route: route), limit: route.rateLimit ?? configuration.rateLimit,
            windowSeconds: route.rateWindowSeconds ?? configuration.rateWindowSeconds, weight: events.count
        ) {
            try await idempotency.run(request: request, scope: "user:\(user.userID):batch:\(route.key)", body: bytes) {
                try await runBatch(events, route: route, user: user, context: context, request: request)
            }
        }
    }

    /// Whose budget a user's event takes: a route with limits of its own counts on its own; the others share the
    /// user's default budget.
    static func rateSubject(user: AuthenticatedUser, route: RouteDefinition) -> String {
        route.rateLimit == nil && route.rateWindowSeconds == nil ? "user:\(user.userID)" : "user:\(user.userID):route:\(route.key)"
    }

    private func runBatch(
        _ events: BatchEvents, route: RouteDefinition, user: AuthenticatedUser, context: GatewayRequestContext,
        request: Request
    ) async throws -> IdempotencyGuard.Outcome {
        // Without the topic's schema no event can be checked: the whole request is unavailable (503), not each event.
        let submission = try await ingestor.submission(
            route: route, user: user, correlationID: context.requestID, traceparent: request.headers.value(of: .traceparent))
        var results = [BatchItemResult?](repeating: nil, count: events.count)
        // The valid events and where each stands in the batch, as two arrays so the records are not copied again.
        var prepared: [EventIngestor.Prepared] = []
        var positions: [Int] = []
        prepared.reserveCapacity(events.count)
        positions.reserveCapacity(events.count)
        for index in 0..<events.count {
            do throws(APIError) {
                // Each event is held to the route's body limit, as if sent on its own.
                if let eventLimit = route.maxBodyBytes, events.size(at: index) > eventLimit {
                    throw RequestReading.bodyTooLarge(eventLimit)
                }
                switch events {
                case .text(let bytes, let ranges): prepared.append(try ingestor.prepare(json: bytes[ranges[index]], for: submission))
                case .parsed(let values): prepared.append(try ingestor.prepare(body: values[index], for: submission))
                }
                positions.append(index)
            } catch {
                results[index] = .rejected(Self.itemResult(index: index, error: error, requestID: context.requestID))
            }
        }
        let produced = await ingestor.produce(batch: prepared)
        for (index, outcome) in zip(positions, produced) {
            switch outcome {
            case .success(let accepted):
                results[index] = .accepted(accepted, index: index)
            case .failure(let error):
                results[index] = .rejected(Self.itemResult(index: index, error: error, requestID: context.requestID))
            }
        }
        let acceptedCount = produced.filter { if case .success = $0 { true } else { false } }.count
        let items = results.map { $0 ?? .rejected(.null) }
        // All accepted → 202; some → 207; none → an error in the one shape, with each event's result in its details.
        guard acceptedCount > 0 else {
            throw Self.batchRejected(items, produceErrors: produced.compactMap { if case .failure(let error) = $0 { error } else { nil } })
        }
        return IdempotencyGuard.Outcome(
            status: acceptedCount == events.count ? .accepted : HTTPResponse.Status(code: 207, reasonPhrase: "Multi-Status"),
            json: BatchItemResult.responseBody(items, accepted: acceptedCount))
    }

    /// A batch of which no event was accepted: 503 with `Retry-After` when the broker refused any (retrying the whole
    /// batch can succeed), else 422 (every event is invalid, or too large).
    private static func batchRejected(_ items: [BatchItemResult], produceErrors: [APIError]) -> APIError {
        let details: JSONValue = [
            "accepted": 0, "rejected": .int(Int64(items.count)),
            "results": .array(items.map { if case .rejected(let item) = $0 { item } else { .null } }),
        ]
        if let unavailable = produceErrors.first(where: { $0.status == .serviceUnavailable }) {
            return APIError(
                .serviceUnavailable, code: unavailable.code,
                message: "no event of the batch was accepted: \(unavailable.message)", details: details,
                headers: unavailable.headers)
        }
        return APIError(
            .unprocessableContent, code: "batch_rejected",
            message: "none of the batch's \(items.count) events was accepted; see details.results", details: details)
    }

    private static func itemResult(index: Int, error: APIError, requestID: String) -> JSONValue {
        var object: JSONObject = ["index": .int(Int64(index)), "status": .int(Int64(error.status.code))]
        object["error"] = error.body(requestID: requestID)["error"]
        return .object(object)
    }

    private func externalRoute(_ context: GatewayRequestContext) throws -> RouteDefinition {
        let key = Self.routeKey(context)
        guard let route = routes.current.externalRoute(key) else {
            throw APIError.notFound("no event route named \"\(key)\"", code: "unknown_route")
        }
        return route
    }

    /// The `{route}` path segment: matched by ``IngestFastPath`` or by the router.
    private static func routeKey(_ context: GatewayRequestContext) -> Substring {
        context.routeKey ?? context.parameters.get("route").map { Substring($0) } ?? ""
    }

    // MARK: - Database webhooks (shared secret)

    func webhook(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        guard let expected = configuration.webhookSecret, !expected.isEmpty else {
            throw APIError.unauthorized("webhooks are disabled: WEBHOOK_SECRET is not configured", code: "webhooks_disabled")
        }
        guard let supplied = request.headers.value(of: .webhookSecret), ConstantTime.equal(supplied, expected) else {
            throw APIError.unauthorized("invalid or missing X-Webhook-Secret", code: "invalid_webhook_secret")
        }
        let key = Self.routeKey(context)
        guard let route = routes.current.webhookRoute(key) else {
            throw APIError.notFound("no webhook route named \"\(key)\"", code: "unknown_route")
        }
        return try await ingestOne(
            request, context, route: route, user: nil, rateSubject: "webhook:\(route.key)",
            rateLimit: route.rateLimit ?? configuration.webhookRateLimit, scope: "webhook:\(route.key)")
    }
}

extension HTTPField.Name {
    static let traceparent = HTTPField.Name("traceparent")!
}
