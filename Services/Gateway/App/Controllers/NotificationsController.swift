import AvroKit
import Foundation
import HTTPTypes
import Hummingbird
import JWTAuth
import Logging
import NIOCore
import NIOConcurrencyHelpers
import PostgresNIO
import Shared

/// The user's notifications: `GET /api/v1/notifications` (pages by id) and `GET /api/v1/notifications/stream`
/// (Server-Sent Events with `Last-Event-ID` resume and heartbeats). Both apply the reference's visibility rule:
/// the user's own rows, broadcast messages, and direct messages to them.
struct NotificationsController: Sendable {
    let postgres: PostgresClient
    let hub: NotificationHub
    let authenticator: Authenticator
    let heartbeat: Duration

    func register(on router: EndpointRouter) {
        router.get("/api/v1/notifications") { request, context in try await list(request, context) }
        router.get("/api/v1/notifications/stream") { request, context in try await stream(request, context) }
    }

    func list(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let user = try await authenticator.authenticate(request)
        if let latest = try Self.latestCount(request) {
            // What a client shows on sign-in: the newest rows, oldest first, then it streams `after` the last one.
            let rows = try await Self.visibleRows(
                postgres: postgres, userID: user.userID, after: 0, limit: latest, newest: true, logger: context.logger)
            return RequestReading.json(
                .ok, ["notifications": .array(rows.map(\.json)), "next_after": rows.last.map { .int($0.id) } ?? .null])
        }
        let page = try Pagination(request)
        let rows = try await Self.visibleRows(
            postgres: postgres, userID: user.userID, after: page.after, limit: page.limit, logger: context.logger)
        return RequestReading.json(.ok, page.envelope("notifications", rows.map(\.json)))
    }

    func stream(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let user = try await authenticator.authenticate(request, allowQueryToken: true)
        var after: Int64 = 0
        if let resume = request.headers.value(of: .lastEventID) ?? request.uri.queryParameters["after"].map(String.init) {
            guard let id = Int64(resume), id >= 0 else {
                throw APIError.badRequest("invalid_resume", "Last-Event-ID / after must be a notification id")
            }
            after = id
        }
        let postgres = self.postgres
        let hub = self.hub
        let heartbeat = self.heartbeat
        // The stream outlives the handler (and its request scope): its logger names the request itself.
        let logger = {
            var logger = context.logger
            logger[metadataKey: "request_id"] = "\(context.requestID)"
            return logger
        }()
        let start = after
        // Subscribed when the body is written, not before: a response whose body never runs (HEAD, a client gone
        // before the head is sent) leaves no subscription behind. Nothing is missed: the first read below comes after.
        let body = ResponseBody { writer in
            let subscription = hub.subscribe(userID: user.userID)
            defer { hub.unsubscribe(subscription.id) }
            var last = start
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            // Wake-ups and heartbeats share one stream of ticks; a wake-up is also kept in a flag of its own, so a
            // heartbeat tick that replaces it in the stream's one slot cannot make the loop skip the rows.
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (ticks, tick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
                let woken = NIOLockedValueBox(true)  // read what is already there (late connect / resume) first
                group.addTask {
                    for await _ in subscription.wakeUps {
                        woken.withLockedValue { $0 = true }
                        tick.yield()
                    }
                    tick.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: heartbeat)
                        tick.yield()
                    }
                }
                var iterator = ticks.makeAsyncIterator()
                repeat {
                    let wakeUp = woken.withLockedValue { woken in
                        defer { woken = false }
                        return woken
                    }
                    if wakeUp {
                        while true {
                            let rows = try await Self.visibleRows(
                                postgres: postgres, userID: user.userID, after: last, limit: 500, logger: logger)
                            for row in rows {
                                try await writer.write(ByteBuffer(string: "id: \(row.id)\nevent: notification\ndata: \(row.json.jsonString())\n\n"))
                                last = row.id
                            }
                            if rows.count < 500 { break }
                        }
                    } else {
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                    guard await iterator.next() != nil else { break }
                } while !Task.isCancelled
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
            body: body)
    }

    struct Row: Sendable {
        var id: Int64
        var json: JSONValue
    }

    /// `?latest=<n>` (1…500): the newest rows instead of a page after an id; `nil` when absent.
    static func latestCount(_ request: Request) throws -> Int? {
        guard let text = request.uri.queryParameters["latest"] else { return nil }
        guard request.uri.queryParameters["after"] == nil else {
            throw APIError.badRequest("invalid_query", "latest and after cannot be combined")
        }
        guard let value = Int(text), (1...500).contains(value) else {
            throw APIError.badRequest("invalid_query", "latest must be between 1 and 500")
        }
        return value
    }

    /// The visible rows after `after` in id order; with `newest`, the last `limit` of them (still in id order).
    static func visibleRows(
        postgres: PostgresClient, userID: String, after: Int64, limit: Int, newest: Bool = false, logger: Logger
    ) async throws -> [Row] {
        var query: PostgresQuery = """
            SELECT id, user_id, event_type, payload, event_time, visibility, recipient_id, created_at
            FROM user_notifications
            WHERE id > \(after)
              AND (user_id = \(userID)
                   OR (event_type = 'user.message' AND (visibility = 'broadcast' OR recipient_id = \(userID))))
            ORDER BY id LIMIT \(limit)
            """
        if newest {
            query = """
                SELECT * FROM (
                    SELECT id, user_id, event_type, payload, event_time, visibility, recipient_id, created_at
                    FROM user_notifications
                    WHERE user_id = \(userID)
                       OR (event_type = 'user.message' AND (visibility = 'broadcast' OR recipient_id = \(userID)))
                    ORDER BY id DESC LIMIT \(limit)) AS newest
                ORDER BY id
                """
        }
        let rows = try await postgres.query(query, logger: logger)
        var result: [Row] = []
        for try await (id, owner, type, payload, eventTime, visibility, recipient, created) in rows.decode(
            (Int64, String, String, String, String, String, String?, Date).self)
        {
            let parsedPayload = (try? JSONValue.parse(payload)) ?? .string(payload)
            result.append(
                Row(
                    id: id,
                    json: [
                        "id": .int(id), "user_id": .string(owner), "event_type": .string(type), "payload": parsedPayload,
                        "event_time": .string(eventTime), "visibility": .string(visibility),
                        "recipient_id": recipient.map(JSONValue.string) ?? .null,
                        "created_at": .string(Timestamps.rfc3339(created)),
                    ]))
        }
        return result
    }
}
