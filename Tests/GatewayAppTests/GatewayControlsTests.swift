import AvroKit
import Foundation
import GatewayApp
import KafkaKit
import NIOHTTP1
import Shared
import RedisKit
import Testing
import TestSupport
import Yams

@Suite("Gateway: routes reload, idempotency, rate limits, broker outages, OpenAPI", .serialized, .timeLimit(.minutes(3)))
struct GatewayControlsTests {
    static let baseRoutes = """
        webhookRoutes:
          login: public.identity.login.events
        externalRoutes:
          message: public.user.message.events
        """

    func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("routes.yaml edited while requests flow: added route works, removed route 404s, a broken file keeps the old routes")
    func hotReload() async throws {
        try await GatewayHarness.with(routesYAML: Self.baseRoutes) { gateway in
            let token = try await GatewayHarness.token(user: GatewayHarness.newUser())
            let event: JSONValue = ["message": "m", "timestamp": "t"]
            #expect(try await gateway.post("/api/v1/events/chat", token: token, json: event).status == 404)

            // Requests keep flowing during the edits; none may see a half-loaded table (no 5xx at any time).
            let flowing = Task {
                var statuses: Set<Int> = []
                for _ in 0..<60 {
                    statuses.insert(try await gateway.post("/api/v1/events/message", token: token, json: event).status)
                }
                return statuses
            }

            // Add a route (detailed form) by atomic rename, as editors and Kubernetes do.
            let added = Self.baseRoutes + "\n  chat:\n    topic: public.user.message.events\n    bind: {user_id: sub, email: email}\n"
            try added.write(toFile: gateway.routesFile, atomically: true, encoding: .utf8)
            #expect(try await waitFor { try await gateway.post("/api/v1/events/chat", token: token, json: event).status == 202 })

            // Break the file: old routes (including chat) stay in force.
            try "externalRoutes: [this is: not a map".write(toFile: gateway.routesFile, atomically: false, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await gateway.post("/api/v1/events/chat", token: token, json: event).status == 202)
            try "externalRoutes:\n  - a list\n".write(toFile: gateway.routesFile, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await gateway.post("/api/v1/events/chat", token: token, json: event).status == 202)

            // Remove it again.
            try Self.baseRoutes.write(toFile: gateway.routesFile, atomically: true, encoding: .utf8)
            #expect(try await waitFor { try await gateway.post("/api/v1/events/chat", token: token, json: event).status == 404 })
            #expect(try await flowing.value == [202])
        }
    }

    @Test("Idempotency-Key: replay with the same event id, 422 for another body, 409 while in flight")
    func idempotency() async throws {
        try await GatewayHarness.with { gateway in
            let user = GatewayHarness.newUser()
            let token = try await GatewayHarness.token(user: user)
            let key = UUID().uuidString
            let body: JSONValue = ["message": "once", "timestamp": "t"]
            let first = try await gateway.post("/api/v1/events/message", token: token, json: body, headers: ["Idempotency-Key": key])
            #expect(first.status == 202)
            #expect(first.headers["Idempotent-Replayed"].isEmpty)
            let second = try await gateway.post("/api/v1/events/message", token: token, json: body, headers: ["Idempotency-Key": key])
            #expect(second.status == 202)
            #expect(second.json["event_id"] == first.json["event_id"])
            #expect(second.headers["Idempotent-Replayed"].first == "true")
            let other = try await gateway.post(
                "/api/v1/events/message", token: token, json: ["message": "twice", "timestamp": "t"], headers: ["Idempotency-Key": key])
            #expect(other.status == 422 && other.errorCode == "idempotency_key_reused")

            // A failed request gives its key back: a 422 then a corrected retry under the same key is accepted.
            let retryKey = UUID().uuidString
            let invalid = try await gateway.post("/api/v1/events/message", token: token, json: ["message": 1, "timestamp": "t"], headers: ["Idempotency-Key": retryKey])
            #expect(invalid.status == 422)
            let invalidAgain = try await gateway.post("/api/v1/events/message", token: token, json: ["message": 1, "timestamp": "t"], headers: ["Idempotency-Key": retryKey])
            #expect(invalidAgain.status == 422 && invalidAgain.errorCode == "schema_violation")

            // In flight: hold the key as another request would, then ask.
            let heldKey = UUID().uuidString
            let redis = RedisClient(configuration: try RedisConfiguration(url: TestEnvironment.redisURL), logger: TestEnvironment.logger)
            let store = RedisIdempotencyStore(client: redis)
            let fingerprint = sha256Hex(body.jsonBytes())
            #expect(try await store.begin(key: "user:\(user):events:message:\(heldKey)", fingerprint: fingerprint, pendingLease: .seconds(30)) == .started)
            let concurrent = try await gateway.post("/api/v1/events/message", token: token, json: body, headers: ["Idempotency-Key": heldKey])
            #expect(concurrent.status == 409 && concurrent.errorCode == "idempotency_in_flight")
            await redis.shutdown()
        }
    }


    @Test(
        "rate limit: X-RateLimit headers, then 429 with Retry-After; batches count per event",
        arguments: ["100", "0"])  // decided from the synced local ledger (default), and by Redis on every request
    func rateLimit(syncMilliseconds: String) async throws {
        let routes = """
            externalRoutes:
              message: public.user.message.events
              limited:
                topic: public.user.message.events
                rateLimit: { limit: 1, windowSeconds: 60 }
            """
        try await GatewayHarness.with(
            environment: [
                "GATEWAY_RATE_LIMIT": "3", "GATEWAY_RATE_WINDOW_SECONDS": "60", "GATEWAY_RATE_LIMIT_SYNC_MS": syncMilliseconds,
            ],
            routesYAML: routes
        ) { gateway in
            let token = try await GatewayHarness.token(user: GatewayHarness.newUser())
            let event: JSONValue = ["message": "m", "timestamp": "t"]
            // Every answer after the check carries the headers: an error on the way (the budget was taken) and a
            // replay as much as an acceptance.
            let malformed = try await gateway.send(
                .POST, "/api/v1/events/message",
                headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: Array("{".utf8))
            #expect(malformed.status == 400 && malformed.headers["X-RateLimit-Remaining"].first == "2")
            let first = try await gateway.post("/api/v1/events/message", token: token, json: event, headers: ["Idempotency-Key": "k1"])
            #expect(first.status == 202 && first.headers["X-RateLimit-Limit"].first == "3")
            #expect(first.headers["X-RateLimit-Remaining"].first == "1")
            let second = try await gateway.post("/api/v1/events/message", token: token, json: event)
            #expect(second.status == 202 && second.headers["X-RateLimit-Remaining"].first == "0")
            let limited = try await gateway.post("/api/v1/events/message", token: token, json: event)
            #expect(limited.status == 429 && limited.errorCode == "rate_limited")
            // Three in this window: one more fits once the next window is a third under way (the three then weigh 2).
            let retryAfter = Int(limited.headers["Retry-After"].first ?? "") ?? 0
            #expect(retryAfter >= 20 && retryAfter <= 80, "Retry-After \(retryAfter)")
            #expect(limited.headers["X-RateLimit-Reset"].first == limited.headers["Retry-After"].first)
            #expect(limited.headers["X-RateLimit-Remaining"].first == "0")

            // A route with limits of its own has a budget of its own: the user's spent default budget does not touch it.
            let own = try await gateway.post("/api/v1/events/limited", token: token, json: event)
            #expect(own.status == 202 && own.headers["X-RateLimit-Limit"].first == "1")
            #expect(try await gateway.post("/api/v1/events/limited", token: token, json: event).status == 429)

            let batchToken = try await GatewayHarness.token(user: GatewayHarness.newUser())
            let batch = try await gateway.post("/api/v1/events/message/batch", token: batchToken, json: .array(Array(repeating: event, count: 4)))
            #expect(batch.status == 429)
        }
    }

    @Test("broker down: 503 with Retry-After within a second, readiness 503; broker back: accepted again")
    func brokerOutage() async throws {
        let broker = PrivateBroker()
        try await broker.start()
        try await GatewayHarness.with(kafkaBrokers: broker.bootstrap) { gateway in
            let token = try await GatewayHarness.token(user: GatewayHarness.newUser())
            let event: JSONValue = ["message": "m", "timestamp": "t"]
            #expect(try await gateway.post("/api/v1/events/message", token: token, json: event).status == 202)
            #expect(try await gateway.get("/health/ready").status == 200)

            broker.stop()
            // The first request may still be the one that discovers the outage; from then on refusals are fast.
            var refusedFast = false
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline, !refusedFast {
                let started = ContinuousClock.now
                let reply = try await gateway.post("/api/v1/events/message", token: token, json: event)
                if reply.status == 503 {
                    #expect(reply.errorCode == "broker_unavailable")
                    #expect(reply.headers["Retry-After"].first != nil)
                    refusedFast = ContinuousClock.now - started < .seconds(1)
                } else {
                    #expect(reply.status == 503, "accepted while the broker is down")
                }
            }
            #expect(refusedFast)
            #expect(try await gateway.get("/health/ready").status == 503)
            // A batch the broker takes none of: 503 in the one error shape, each event's result in its details, and
            // its Idempotency-Key released, so the same request is accepted once the broker is back.
            let batch: JSONValue = [event, event]
            let refusedBatch = try await gateway.post(
                "/api/v1/events/message/batch", token: token, json: batch, headers: ["Idempotency-Key": "outage-batch"])
            #expect(refusedBatch.status == 503 && refusedBatch.errorCode == "broker_unavailable")
            #expect(refusedBatch.headers["Retry-After"].first != nil)
            #expect(refusedBatch.json["error"]?["details"]?["results"]?.arrayValue?.count == 2)

            try await broker.start()
            var accepted = false
            let recovery = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < recovery, !accepted {
                accepted = try await gateway.post("/api/v1/events/message", token: token, json: event).status == 202
                if !accepted { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(accepted)
            #expect(try await gateway.get("/health/ready").status == 200)
            let retriedBatch = try await gateway.post(
                "/api/v1/events/message/batch", token: token, json: batch, headers: ["Idempotency-Key": "outage-batch"])
            #expect(retriedBatch.status == 202 && retriedBatch.json["accepted"] == 2)
            #expect(retriedBatch.headers["Idempotent-Replayed"].isEmpty)
            let metrics = String(decoding: try await gateway.get("/metrics").body, as: UTF8.self)
            #expect(metrics.contains("gateway_broker_circuit_open 0"))
        }
        broker.stop()
    }

    @Test("schema registry unreachable: single events and whole batches 503 schema_unavailable with Retry-After")
    func registryOutage() async throws {
        // Nothing listens on port 9: the registry cannot tell the topic's schema.
        try await GatewayHarness.with(environment: ["SCHEMA_REGISTRY_URL": "http://127.0.0.1:9"]) { gateway in
            let token = try await GatewayHarness.token(user: GatewayHarness.newUser())
            let event: JSONValue = ["message": "m", "timestamp": "t"]
            for path in ["/api/v1/events/message", "/api/v1/events/message/batch"] {
                let reply = try await gateway.post(path, token: token, json: path.hasSuffix("batch") ? [event, event] : event)
                #expect(reply.status == 503 && reply.errorCode == "schema_unavailable", "\(path)")
                #expect(reply.headers["Retry-After"].first != nil)
            }
        }
    }

    @Test("the OpenAPI document is served and lists exactly the endpoints the router serves")
    func openAPI() async throws {
        try await GatewayHarness.with { gateway in
            let reply = try await gateway.get("/openapi.yaml")
            #expect(reply.status == 200)
            let document = try #require(try Yams.load(yaml: String(decoding: reply.body, as: UTF8.self)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            var documented: Set<String> = []
            for (path, item) in paths {
                for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "delete", "patch"].contains(method) {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            let served = Set(gateway.endpoints.map(\.description))
            #expect(documented == served, "documented but not served: \(documented.subtracting(served)); served but not documented: \(served.subtracting(documented))")
        }
    }
}
