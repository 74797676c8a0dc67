import AsyncHTTPClient
import AvroKit
import Foundation
import GatewayApp
import KafkaKit
import NIOHTTP1
import Shared
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Testing
import TestSupport

@Suite("Gateway: media intents, credits, files, notifications", .serialized, .timeLimit(.minutes(3)))
struct GatewayReadsTests {
    @Test("media intents: 202 with request_id, user id from the token, allow-list and size limit enforced")
    func mediaIntents() async throws {
        try await GatewayHarness.with(environment: ["MEDIA_MAX_FILE_BYTES": "1000000"]) { gateway in
            let user = GatewayHarness.newUser()
            let token = try await GatewayHarness.token(user: user)
            let upload = try await gateway.post(
                "/api/v1/media/upload-intent", token: token, json: ["file_name": "cat.jpg", "media_type": "IMAGE/JPEG", "file_size": 2048])
            #expect(upload.status == 202)
            let requestID = try #require(upload.json["request_id"]?.stringValue)
            guard case .int(let partition)? = upload.json["partition"], case .int(let offset)? = upload.json["offset"] else {
                Issue.record("no position in \(upload.json)")
                return
            }
            let event = try await gateway.consumeRecord(topic: "internal.media.upload.intent", partition: Int32(partition), offset: offset)
            #expect(event.payload["user_id"] == .string(user))
            #expect(event.payload["request_id"] == .string(requestID))
            #expect(event.payload["media_type"] == "image/jpeg")
            #expect(event.payload["file_size"] == 2048)
            #expect(event.record.key == Array(user.utf8))

            let cases: [(JSONValue, Int, String)] = [
                (["file_name": "a.pdf", "media_type": "application/pdf", "file_size": 10], 422, "unsupported_media_type"),
                (["file_name": "a.jpg", "media_type": "image/jpeg", "file_size": 2_000_000], 422, "file_too_large"),
                (["file_name": "a.jpg", "media_type": "image/jpeg", "file_size": 0], 400, "invalid_field"),
                (["file_name": "a.jpg", "media_type": "image/jpeg", "file_size": 1.5], 400, "invalid_field"),
                (["file_name": "", "media_type": "image/jpeg", "file_size": 1], 400, "invalid_field"),
                (["file_name": "../etc/passwd", "media_type": "image/jpeg", "file_size": 1], 400, "invalid_field"),
                (["media_type": "image/jpeg", "file_size": 1], 400, "invalid_field"),
                (["file_name": "a.jpg", "media_type": "image/jpeg", "file_size": 1, "user_id": "someone-else"], 403, "identity_mismatch"),
                (["file_name": "a.jpg", "media_type": "image/jpeg", "file_size": 1, "request_id": "mine"], 400, "field_not_allowed"),
            ]
            for (body, status, code) in cases {
                let reply = try await gateway.post("/api/v1/media/upload-intent", token: token, json: body)
                #expect(reply.status == status, "\(body)")
                #expect(reply.errorCode == code, "\(body)")
            }
            for intent in ["download", "delete"] {
                let ok = try await gateway.post("/api/v1/media/\(intent)-intent", token: token, json: ["file_path": .string("files/\(user)/x/cat.jpg")])
                #expect(ok.status == 202 && ok.json["request_id"]?.stringValue != nil)
                #expect(ok.json["topic"]?.stringValue == "internal.media.\(intent).intent")
                let bad = try await gateway.post("/api/v1/media/\(intent)-intent", token: token, json: ["file_path": 5])
                #expect(bad.status == 400)
            }
            #expect(try await gateway.post("/api/v1/media/upload-intent", json: ["file_name": "a"]).status == 401)
        }
    }

    @Test("credits and files read the user's own rows only")
    func reads() async throws {
        let user = GatewayHarness.newUser()
        let other = GatewayHarness.newUser()
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            _ = try await client.query("INSERT INTO credit_balances (user_id, balance) VALUES (\(user), 7)", logger: TestEnvironment.logger)
            for (owner, name, status) in [(user, "a.jpg", "active"), (user, "b.jpg", "deleted"), (other, "c.jpg", "active"), (user, "d.jpg", "active")] {
                let path = "files/\(owner)/\(UUID().uuidString)/\(name)"
                _ = try await client.query(
                    """
                    INSERT INTO media_files (user_id, file_name, file_path, file_size, media_type, status, upload_time)
                    VALUES (\(owner), \(name), \(path), 10, 'image/jpeg', \(status), '2026-11-23T10:00:00Z')
                    """, logger: TestEnvironment.logger)
            }
        }
        try await GatewayHarness.with { gateway in
            let token = try await GatewayHarness.token(user: user)
            let credits = try await gateway.get("/api/v1/credits", token: token)
            #expect(credits.status == 200 && credits.json["balance"] == 7)
            let none = try await gateway.get("/api/v1/credits", token: try await GatewayHarness.token(user: GatewayHarness.newUser()))
            #expect(none.json["balance"] == 0)
            let files = try await gateway.get("/api/v1/media/files?limit=1", token: token)
            #expect(files.status == 200)
            #expect(files.json["files"]?.arrayValue?.map { $0["file_name"] } == ["a.jpg"])
            guard case .int(let next)? = files.json["next_after"] else {
                Issue.record("expected a next page: \(files.json)")
                return
            }
            let page2 = try await gateway.get("/api/v1/media/files?limit=1&after=\(next)", token: token)
            #expect(page2.json["files"]?.arrayValue?.map { $0["file_name"] } == ["d.jpg"])
            #expect(try await gateway.get("/api/v1/media/files?limit=0", token: token).status == 400)
        }
    }

    /// The newest notification id now: tests read only what comes after it (other suites write many broadcasts).
    static func currentMaxID() async throws -> Int64 {
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            for try await id in try await client.query(
                "SELECT COALESCE(max(id), 0)::bigint FROM user_notifications", logger: TestEnvironment.logger
            ).decode(Int64.self) {
                return id
            }
            return 0
        }
    }

    static func insertNotification(
        _ client: PostgresClient, user: String, type: String, visibility: String = "private", recipient: String? = nil
    ) async throws {
        let source = UUID().uuidString
        _ = try await client.query(
            """
            INSERT INTO user_notifications (user_id, event_type, payload, event_time, visibility, recipient_id, source_event_id)
            VALUES (\(user), \(type), '{"k":1}', '2026-11-23T10:00:00Z', \(visibility), \(recipient), \(source))
            """, logger: TestEnvironment.logger)
    }

    @Test("notifications REST: own rows, broadcast messages and direct messages to me; not others' direct messages")
    func notificationVisibility() async throws {
        let alice = GatewayHarness.newUser()
        let bob = GatewayHarness.newUser()
        let carol = GatewayHarness.newUser()
        let start = try await Self.currentMaxID()
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            try await Self.insertNotification(client, user: alice, type: "identity.login")
            try await Self.insertNotification(client, user: alice, type: "user.message", visibility: "direct", recipient: bob)
            try await Self.insertNotification(client, user: carol, type: "identity.login")
        }
        try await GatewayHarness.with { gateway in
            func visible(_ user: String) async throws -> [JSONValue] {
                let token = try await GatewayHarness.token(user: user)
                var rows: [JSONValue] = []
                var after = start
                while true {
                    let reply = try await gateway.get("/api/v1/notifications?limit=500&after=\(after)", token: token)
                    rows += reply.json["notifications"]?.arrayValue ?? []
                    guard case .int(let next)? = reply.json["next_after"] else { break }
                    after = next
                }
                return rows.filter {
                    [alice, bob, carol].contains($0["user_id"]?.stringValue ?? "") || $0["recipient_id"]?.stringValue == bob
                }
            }
            let alicesRows = try await visible(alice)
            #expect(alicesRows.count == 2)
            let bobs = try await visible(bob)
            #expect(bobs.count == 1 && bobs.first?["recipient_id"] == .string(bob))
            #expect(bobs.first?["payload"] == ["k": 1])
            #expect(try await visible(carol).count == 1)

            // ?latest=: the newest visible rows, oldest first; next_after is the last id to stream after.
            // (Other suites may add broadcast messages meanwhile, so only alice's own rows are compared.)
            let aliceToken = try await GatewayHarness.token(user: alice)
            let latest = try await gateway.get("/api/v1/notifications?latest=500", token: aliceToken).json
            let latestRows = latest["notifications"]?.arrayValue ?? []
            let ids = latestRows.compactMap { row -> Int64? in if case .int(let id)? = row["id"] { id } else { nil } }
            #expect(ids == ids.sorted() && !ids.isEmpty)
            #expect(latest["next_after"] == latestRows.last?["id"])
            let alices = latestRows.filter { $0["user_id"]?.stringValue == alice }
            // Exactly alice's rows that are not older than the oldest row returned (all of them, unless 500 newer
            // broadcasts arrived in between).
            let expected = alicesRows.filter { row in
                if case .int(let id)? = row["id"], let oldest = ids.first { id >= oldest } else { false }
            }
            #expect(alices == expected && (ids.count == 500 || expected.count == 2))
            #expect(try await gateway.get("/api/v1/notifications?latest=0", token: aliceToken).status == 400)
            #expect(try await gateway.get("/api/v1/notifications?latest=2&after=1", token: aliceToken).status == 400)
        }
    }

    @Test("the SSE stream delivers rows written before and after connecting, and resumes after Last-Event-ID")
    func stream() async throws {
        let user = GatewayHarness.newUser()
        let start = try await Self.currentMaxID()
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            try await Self.insertNotification(client, user: user, type: "media.upload_ready")  // before connecting
        }
        try await GatewayHarness.with(environment: ["GATEWAY_SSE_HEARTBEAT_SECONDS": "1"]) { gateway in
            let token = try await GatewayHarness.token(user: user)
            var request = HTTPClientRequest(url: gateway.baseURL + "/api/v1/notifications/stream?access_token=\(token)&after=\(start)")
            request.headers.add(name: "Accept", value: "text/event-stream")
            let response = try await gateway.http.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 200)
            #expect(response.headers["Content-Type"].first == "text/event-stream")

            let writer = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await TestEnvironment.withPostgres { client in
                    try await Self.insertNotification(client, user: user, type: "media.upload_completed")
                }
            }
            // Only this user's rows and broadcasts are visible; keep this user's.
            var text = ""
            var ids: [Int] = []
            for try await chunk in response.body {
                text += String(buffer: chunk)
                let events = text.components(separatedBy: "\n\n")
                ids = events.filter { $0.contains(user) }.compactMap { event in
                    event.split(separator: "\n").first { $0.hasPrefix("id: ") }.flatMap { Int($0.dropFirst(4)) }
                }
                if ids.count >= 2, text.contains(": heartbeat") { break }
            }
            try await writer.value
            #expect(ids.count == 2)
            #expect(text.contains("media.upload_ready") && text.contains("media.upload_completed"))

            // Reconnect with Last-Event-ID = the first id: only the second comes again.
            var resume = HTTPClientRequest(url: gateway.baseURL + "/api/v1/notifications/stream")
            resume.headers.add(name: "Authorization", value: "Bearer \(token)")
            resume.headers.add(name: "Last-Event-ID", value: String(ids[0]))
            let resumed = try await gateway.http.execute(resume, timeout: .seconds(30))
            var resumedText = ""
            for try await chunk in resumed.body {
                resumedText += String(buffer: chunk)
                if resumedText.contains(": heartbeat") { break }
            }
            let resumedIDs = resumedText.components(separatedBy: "\n\n").filter { $0.contains(user) }.compactMap { event in
                event.split(separator: "\n").first { $0.hasPrefix("id: ") }.flatMap { Int($0.dropFirst(4)) }
            }
            #expect(resumedIDs == [ids[1]])
            #expect(try await gateway.get("/api/v1/notifications/stream").status == 401)
        }
    }

    @Test("graceful shutdown ends open SSE streams and the gateway stops promptly")
    func gracefulShutdown() async throws {
        let harness = try await GatewayHarness.start()
        let token = try await GatewayHarness.token(user: GatewayHarness.newUser())
        let start = try await Self.currentMaxID()
        var request = HTTPClientRequest(url: harness.baseURL + "/api/v1/notifications/stream?access_token=\(token)&after=\(start)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await harness.http.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 200)
        let reader = Task {
            var received = 0
            for try await chunk in response.body { received += chunk.readableBytes }
            return received
        }
        try await Task.sleep(for: .milliseconds(200))
        let stopping = ContinuousClock.now
        await harness.group.triggerGracefulShutdown()
        _ = try await harness.task?.value
        #expect(ContinuousClock.now - stopping < .seconds(10), "the server waited for the open stream")
        #expect(try await reader.value > 0)  // the stream ended cleanly after its first bytes
        try? await harness.http.shutdown()
    }
}

