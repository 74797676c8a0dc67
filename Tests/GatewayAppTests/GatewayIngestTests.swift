import AsyncHTTPClient
import AvroKit
import Foundation
import GatewayApp
import KafkaKit
import NIOCore
import NIOHTTP1
import Shared
import JWTAuth
import Testing
import TestSupport

@Suite("Gateway: browser events and webhooks", .serialized, .timeLimit(.minutes(3)))
struct GatewayIngestTests {
    @Test("an accepted event is in Kafka, decodable by its schema id, with the identity bound from the token")
    func acceptedEventDecodes() async throws {
        try await GatewayHarness.with { gateway in
            let user = GatewayHarness.newUser()
            let token = try await GatewayHarness.token(user: user, email: "alice@example.com")
            let body: JSONValue = ["message": "hi ✓", "timestamp": "2026-11-23T10:00:00Z", "visibility": "direct", "recipient_id": "bob"]
            let reply = try await gateway.post(
                "/api/v1/events/MESSAGE", token: token, json: body, headers: ["X-Request-ID": "req-ingest-1", "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"])
            #expect(reply.status == 202)
            #expect(reply.headers["X-Request-ID"].first == "req-ingest-1")
            let topic = try #require(reply.json["topic"]?.stringValue)
            #expect(topic == "public.user.message.events")
            guard case .int(let partition)? = reply.json["partition"], case .int(let offset)? = reply.json["offset"] else {
                Issue.record("no partition/offset in \(reply.json)")
                return
            }
            let event = try await gateway.consumeRecord(topic: topic, partition: Int32(partition), offset: offset)
            #expect(event.payload == [
                "user_id": .string(user), "email": "alice@example.com", "message": "hi ✓", "timestamp": "2026-11-23T10:00:00Z",
                "visibility": "direct", "recipient_id": "bob",
            ])
            #expect(event.eventID == reply.json["event_id"]?.stringValue)
            #expect(event.correlationID == "req-ingest-1")
            #expect(event.record.header("traceparent") == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            #expect(event.record.key == Array(user.utf8))
        }
    }

    @Test("forged, expired, alg:none and missing tokens get 401 with a JSON error")
    func badTokens() async throws {
        try await GatewayHarness.with { gateway in
            let body: JSONValue = ["message": "x", "timestamp": "t"]
            let forged = try await DevelopmentTokenMinter.mint(userID: "u", email: nil, secret: "another-secret-another-secret-1234")
            let expired = try await GatewayHarness.token(user: "u", expiresIn: .seconds(-120))
            let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsImV4cCI6OTk5OTk5OTk5OX0."
            for (token, code) in [(forged, "invalid_signature"), (expired, "token_expired"), (none, "unsupported_algorithm")] {
                let reply = try await gateway.post("/api/v1/events/message", token: token, json: body)
                #expect(reply.status == 401)
                #expect(reply.errorCode == code)
            }
            let missing = try await gateway.post("/api/v1/events/message", json: body)
            #expect(missing.status == 401 && missing.errorCode == "missing_token")
            #expect(missing.json["error"]?["request_id"]?.stringValue != nil)
        }
    }

    @Test("a body claiming another user's id is refused; nothing is produced")
    func impersonation() async throws {
        try await GatewayHarness.with { gateway in
            let token = try await GatewayHarness.token(user: "mallory")
            let reply = try await gateway.post(
                "/api/v1/events/message", token: token, json: ["user_id": "alice", "message": "I am alice", "timestamp": "t"])
            #expect(reply.status == 403)
            #expect(reply.errorCode == "identity_mismatch")
            let email = try await gateway.post(
                "/api/v1/events/message", token: token, json: ["email": "alice@example.com", "message": "x", "timestamp": "t"])
            #expect(email.status == 403)
            // The same id as the token is fine.
            let same = try await gateway.post(
                "/api/v1/events/message", token: token, json: ["user_id": "mallory", "message": "x", "timestamp": "t"])
            #expect(same.status == 202)
        }
    }

    @Test("input errors: 400 malformed JSON, 415 content type, 413 body limit, 404 unknown route, 422 schema with field path")
    func inputErrors() async throws {
        try await GatewayHarness.with(environment: ["GATEWAY_MAX_BODY_BYTES": "2048"]) { gateway in
            let token = try await GatewayHarness.token(user: GatewayHarness.newUser())
            let auth = ["Authorization": "Bearer \(token)"]
            let malformed = try await gateway.send(
                .POST, "/api/v1/events/message", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
                body: Array("{\"message\": ".utf8))
            #expect(malformed.status == 400 && malformed.errorCode == "malformed_json")
            // U+0000 could never be stored downstream (Postgres text): refused here, not left to stall a consumer.
            let nul = try await gateway.send(
                .POST, "/api/v1/events/message", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
                body: Array(#"{"message": "a\u0000", "timestamp": "t"}"#.utf8))
            #expect(nul.status == 400 && nul.errorCode == "malformed_json")
            #expect(nul.json["error"]?["message"]?.stringValue?.contains("U+0000") == true)
            let notObject = try await gateway.post("/api/v1/events/message", token: token, json: [1, 2])
            #expect(notObject.status == 400)
            let text = try await gateway.send(.POST, "/api/v1/events/message", headers: auth.merging(["Content-Type": "text/plain"]) { $1 }, body: Array("hi".utf8))
            #expect(text.status == 415 && text.errorCode == "unsupported_media_type")
            let big = try await gateway.post(
                "/api/v1/events/message", token: token, json: ["message": .string(String(repeating: "x", count: 5000)), "timestamp": "t"])
            #expect(big.status == 413 && big.errorCode == "body_too_large")
            let unknown = try await gateway.post("/api/v1/events/nope", token: token, json: ["a": 1])
            #expect(unknown.status == 404 && unknown.errorCode == "unknown_route")
            // Without Content-Length (chunked), the limit applies as the body arrives.
            var chunked = HTTPClientRequest(url: gateway.baseURL + "/api/v1/events/message")
            chunked.method = .POST
            chunked.headers.add(name: "Authorization", value: "Bearer \(token)")
            chunked.headers.add(name: "Content-Type", value: "application/json")
            let (parts, writer) = AsyncStream.makeStream(of: ByteBuffer.self)
            for _ in 0..<4 { writer.yield(ByteBuffer(string: String(repeating: " ", count: 1000))) }
            writer.finish()
            chunked.body = .stream(parts, length: .unknown)
            let streamed = try await gateway.http.execute(chunked, timeout: .seconds(30))
            let streamedBody = try await streamed.body.collect(upTo: 1 << 16)
            #expect(streamed.status.code == 413)
            #expect((try? JSONValue.parse(Array(streamedBody.readableBytesView)))?["error"]?["code"]?.stringValue == "body_too_large")
            let wrongType = try await gateway.post("/api/v1/events/message", token: token, json: ["message": 42, "timestamp": "t"])
            #expect(wrongType.status == 422)
            #expect(wrongType.json["error"]?["details"]?["field"]?.stringValue == "$.message")
            let missing = try await gateway.post("/api/v1/events/message", token: token, json: ["timestamp": "t"])
            #expect(missing.status == 422)
            #expect(missing.json["error"]?["details"]?["field"]?.stringValue == "$.message")
            let extra = try await gateway.post("/api/v1/events/message", token: token, json: ["message": "m", "timestamp": "t", "bogus": 1])
            #expect(extra.status == 422 && extra.json["error"]?["details"]?["field"]?.stringValue == "$.bogus")
            let badEnumLike = try await gateway.post("/api/v1/events/message", token: token, json: ["message": "m", "timestamp": "t", "recipient_id": 5])
            #expect(badEnumLike.status == 422)
            let notFound = try await gateway.get("/no/such/path")
            #expect(notFound.status == 404 && notFound.errorCode == "not_found")
            // Shapes the ingest fast path leaves to the router get the router's answers, in the one error shape.
            let otherSuffix = try await gateway.post("/api/v1/events/message/other", token: token, json: ["a": 1])
            #expect(otherSuffix.status == 404 && otherSuffix.errorCode == "not_found")
            // A served path asked with another method: 405 with Allow, not the router's 404.
            let wrongMethod = try await gateway.get("/api/v1/events/message")
            #expect(wrongMethod.status == 405 && wrongMethod.errorCode == "method_not_allowed")
            #expect(wrongMethod.headers["Allow"] == ["POST"] && wrongMethod.headers["X-Request-ID"].count == 1)
            let putBatch = try await gateway.send(.PUT, "/api/v1/events/message/batch")
            #expect(putBatch.status == 405 && putBatch.headers["Allow"] == ["POST"])
            let postCredits = try await gateway.post("/api/v1/credits", token: token, json: [:])
            #expect(postCredits.status == 405 && postCredits.headers["Allow"] == ["GET, HEAD"])
            let deleteHealth = try await gateway.send(.DELETE, "/health/live/")
            #expect(deleteHealth.status == 405 && deleteHealth.json["error"]?["details"]?["allowed"] == ["GET", "HEAD"])
            // HEAD wherever GET: the GET's status and headers (NIO sends no body after a HEAD); on a POST-only path, 405.
            let headHealth = try await gateway.send(.HEAD, "/health/live")
            #expect(headHealth.status == 200)
            let getCredits = try await gateway.get("/api/v1/credits", token: token)
            let headCredits = try await gateway.send(.HEAD, "/api/v1/credits", headers: ["Authorization": "Bearer \(token)"])
            #expect(headCredits.status == 200)
            #expect(headCredits.headers["Content-Length"] == getCredits.headers["Content-Length"])
            #expect(headCredits.headers["Content-Type"] == ["application/json"])
            let headUnauthorized = try await gateway.send(.HEAD, "/api/v1/credits")
            #expect(headUnauthorized.status == 401 && headUnauthorized.headers["WWW-Authenticate"] == ["Bearer"])
            let headIngest = try await gateway.send(.HEAD, "/api/v1/events/message")
            #expect(headIngest.status == 405 && headIngest.headers["Allow"] == ["POST"])
            let metrics = String(decoding: try await gateway.get("/metrics").body, as: UTF8.self)
            // Requests are counted by route template (the fast path's too), method and status.
            for series in [
                #"gateway_http_requests_total{route="/api/v1/events/{route}",method="POST",status="202"}"#,
                #"gateway_http_requests_total{route="/api/v1/events/{route}",method="POST",status="422"}"#,
                #"gateway_http_requests_total{route="NotFound",method="GET",status="404"}"#,
                #"gateway_http_requests_total{route="/api/v1/events/{route}",method="GET",status="405"}"#,
                #"gateway_http_request_duration_seconds_bucket{route="/api/v1/events/{route}",method="POST",status="422""#,
            ] {
                #expect(metrics.contains(series), "\(series)")
            }
        }
    }

    @Test("webhooks need the shared secret and route by webhookRoutes")
    func webhooks() async throws {
        try await GatewayHarness.with { gateway in
            let body: JSONValue = ["user_id": "u-1", "email": "u1@example.com", "login_time": "2026-11-23T10:00:00Z"]
            let ok = try await gateway.post("/webhooks/login", json: body, headers: ["X-Webhook-Secret": GatewayHarness.webhookSecret])
            #expect(ok.status == 202)
            #expect(ok.json["topic"]?.stringValue == "public.identity.login.events")
            let wrong = try await gateway.post("/webhooks/login", json: body, headers: ["X-Webhook-Secret": "nope"])
            #expect(wrong.status == 401 && wrong.errorCode == "invalid_webhook_secret")
            let missing = try await gateway.post("/webhooks/login", json: body)
            #expect(missing.status == 401)
            let unknown = try await gateway.post("/webhooks/message", json: body, headers: ["X-Webhook-Secret": GatewayHarness.webhookSecret])
            #expect(unknown.status == 404)
            // A browser token does not open the webhook door.
            let token = try await GatewayHarness.token(user: "u-1")
            let withToken = try await gateway.post("/webhooks/login", token: token, json: body)
            #expect(withToken.status == 401)
        }
    }

    @Test("a batch accepts the valid events and reports each invalid one")
    func batch() async throws {
        try await GatewayHarness.with(environment: ["GATEWAY_BATCH_MAX_EVENTS": "10"]) { gateway in
            let user = GatewayHarness.newUser()
            let token = try await GatewayHarness.token(user: user)
            let events: JSONValue = [
                ["timestamp": "t", "message": "one", "visibility": "direct"], ["message": 2, "timestamp": "t"],
                ["message": "three", "timestamp": "t"], ["user_id": "someone-else", "message": "x", "timestamp": "t"],
            ]
            let reply = try await gateway.post("/api/v1/events/message/batch", token: token, json: events)
            #expect(reply.status == 207)
            #expect(reply.json["accepted"] == 2 && reply.json["rejected"] == 2)
            let results = reply.json["results"]?.arrayValue ?? []
            #expect(results.count == 4)
            #expect(results[0]["status"] == 202 && results[0]["event_id"]?.stringValue != nil)
            #expect(results[1]["status"] == 422 && results[1]["error"]?["details"]?["field"]?.stringValue == "$.message")
            #expect(results[2]["status"] == 202)
            #expect(results[3]["status"] == 403 && results[3]["error"]?["code"] == "identity_mismatch")
            // The produced record holds the body, in schema order, with identity from the token.
            if case .string(let topic)? = results[0]["topic"], case .int(let partition)? = results[0]["partition"],
                case .int(let offset)? = results[0]["offset"]
            {
                let event = try await gateway.consumeRecord(topic: topic, partition: Int32(partition), offset: offset)
                #expect(event.payload == [
                    "user_id": .string(user), "email": .string("\(user)@example.com"), "message": "one", "timestamp": "t",
                    "visibility": "direct", "recipient_id": nil,
                ])
                #expect(event.record.key == Array(user.utf8))
            } else {
                Issue.record("no topic/partition/offset in \(results[0])")
            }
            let malformed = try await gateway.send(
                .POST, "/api/v1/events/message/batch",
                headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                body: Array(#"[{"message": "m", "timestamp": "t"}, {"message": }]"#.utf8))
            #expect(malformed.status == 400 && malformed.errorCode == "malformed_json")

            let allGood = try await gateway.post(
                "/api/v1/events/message/batch", token: token, json: ["events": .array((0..<10).map { ["message": .string("m\($0)"), "timestamp": "t"] })])
            #expect(allGood.status == 202 && allGood.json["accepted"] == 10)
            let tooMany = try await gateway.post(
                "/api/v1/events/message/batch", token: token, json: .array((0..<11).map { _ in ["message": "m", "timestamp": "t"] }))
            #expect(tooMany.status == 413 && tooMany.errorCode == "batch_too_large")
            // None valid: an error in the one shape, each event's result in its details.
            let noneValid = try await gateway.post(
                "/api/v1/events/message/batch", token: token, json: [["message": 1, "timestamp": "t"], ["timestamp": "t"]])
            #expect(noneValid.status == 422 && noneValid.errorCode == "batch_rejected")
            let rejected = noneValid.json["error"]?["details"]?["results"]?.arrayValue ?? []
            #expect(rejected.count == 2 && rejected.allSatisfy { $0["status"] == 422 })
        }
    }

    @Test("a route's body limit holds for each event of a batch, as for a single event")
    func batchEventLimit() async throws {
        let routes = """
            externalRoutes:
              small:
                topic: public.user.message.events
                maxBodyBytes: 200
            """
        try await GatewayHarness.with(routesYAML: routes) { gateway in
            let token = try await GatewayHarness.token(user: GatewayHarness.newUser())
            let big: JSONValue = ["message": .string(String(repeating: "x", count: 300)), "timestamp": "t"]
            let small: JSONValue = ["message": "m", "timestamp": "t"]
            #expect(try await gateway.post("/api/v1/events/small", token: token, json: big).status == 413)
            let reply = try await gateway.post("/api/v1/events/small/batch", token: token, json: [small, big])
            #expect(reply.status == 207)
            let results = reply.json["results"]?.arrayValue ?? []
            #expect(results.count == 2 && results[0]["status"] == 202)
            #expect(results.last?["status"] == 413 && results.last?["error"]?["code"] == "body_too_large")
        }
    }

    @Test("CORS preflight and request ids")
    func corsAndRequestIDs() async throws {
        try await GatewayHarness.with { gateway in
            let preflight = try await gateway.send(
                .OPTIONS, "/api/v1/events/message",
                headers: ["Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"])
            #expect(preflight.status == 204)
            #expect(preflight.headers["Access-Control-Allow-Origin"].first == "*")
            #expect(preflight.headers["Access-Control-Allow-Headers"].first?.lowercased().contains("idempotency-key") == true)
            #expect(preflight.headers["Access-Control-Allow-Methods"].first?.contains("POST") == true)
            let generated = try await gateway.get("/health/live")
            #expect((generated.headers["X-Request-ID"].first ?? "").count == 36)
            let supplied = try await gateway.send(.GET, "/health/live", headers: ["X-Request-ID": "client-id-1"])
            #expect(supplied.headers["X-Request-ID"].first == "client-id-1")

            // A browser's request that fails keeps its own status and error, and the browser may read it.
            let token = try await GatewayHarness.token(user: GatewayHarness.newUser())
            let origin = ["Origin": "https://app.example"]
            let unauthorized = try await gateway.post("/api/v1/events/message", json: ["message": "m", "timestamp": "t"], headers: origin)
            #expect(unauthorized.status == 401 && unauthorized.errorCode == "missing_token")
            #expect(unauthorized.headers["Access-Control-Allow-Origin"].first == "*")
            let unknown = try await gateway.post("/api/v1/events/nope", token: token, json: ["a": 1], headers: origin)
            #expect(unknown.status == 404 && unknown.errorCode == "unknown_route")
            #expect(unknown.headers["Access-Control-Allow-Origin"].first == "*")
            let accepted = try await gateway.post("/api/v1/events/message", token: token, json: ["message": "m", "timestamp": "t"], headers: origin)
            #expect(accepted.status == 202 && accepted.headers["Access-Control-Allow-Origin"].first == "*")
            // Scripts can read these only when the actual response exposes them.
            let exposed = accepted.headers["Access-Control-Expose-Headers"].first?.lowercased() ?? ""
            for name in ["x-request-id", "x-ratelimit-remaining", "retry-after"] { #expect(exposed.contains(name), "\(name)") }
        }
    }

    @Test("CORS with an origin list answers only those origins")
    func corsOriginList() async throws {
        try await GatewayHarness.with(environment: ["GATEWAY_CORS_ORIGINS": "https://app.example, https://admin.example"]) { gateway in
            let allowed = try await gateway.send(
                .OPTIONS, "/api/v1/events/message", headers: ["Origin": "https://admin.example", "Access-Control-Request-Method": "POST"])
            #expect(allowed.status == 204 && allowed.headers["Access-Control-Allow-Origin"].first == "https://admin.example")
            #expect(allowed.headers["Vary"].contains("Origin"))
            let other = try await gateway.send(
                .OPTIONS, "/api/v1/events/message", headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "POST"])
            #expect(other.headers["Access-Control-Allow-Origin"].isEmpty)
            let otherPost = try await gateway.post("/api/v1/events/message", json: ["a": 1], headers: ["Origin": "https://evil.example"])
            #expect(otherPost.status == 401 && otherPost.headers["Access-Control-Allow-Origin"].isEmpty)
            let listedPost = try await gateway.post("/api/v1/events/message", json: ["a": 1], headers: ["Origin": "https://app.example"])
            #expect(listedPost.status == 401 && listedPost.headers["Access-Control-Allow-Origin"].first == "https://app.example")
        }
    }
}
