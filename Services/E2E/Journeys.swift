import AvroKit
import Foundation
import Shared

/// The reference e2e suite's user journeys (behaviour §9.1), as a client meets the platform: HTTP calls with
/// minted tokens, webhooks with the shared secret, results read from each user's SSE stream, bytes moved with the
/// presigned URLs.
struct Journeys {
    let gateway: GatewayClient
    let log: JourneyLog
    /// How long one result may take to show up on a stream.
    let stepTimeout: Duration
    /// How long an abandoned upload may take to expire (the platform's upload TTL plus the timer's slack).
    let expiryTimeout: Duration

    /// A file uploaded through the whole saga, for the journeys that read and delete it.
    struct UploadedFile {
        var path: String
        var name: String
        var bytes: [UInt8]
    }

    // MARK: identity webhooks

    func signup(_ user: E2EUser) async throws {
        try await identityWebhook(
            "signup", ["user_id": .string(user.id), "email": .string(user.email), "signup_time": .string(now())],
            shows: "identity.signup", to: user)
        try await log.step("credit.balance_changed +2, reason signup_bonus") {
            _ = try await user.inbox.first("credit.balance_changed", within: stepTimeout) {
                $0.payload["amount"] == .int(2) && $0.payload["reason"] == .string("signup_bonus")
            }
        }
        try await log.step("GET /api/v1/credits → 2") { try await expectBalance(user, 2) }
    }

    func loginAndSignout(_ user: E2EUser) async throws {
        try await identityWebhook(
            "login",
            [
                "user_id": .string(user.id), "email": .string(user.email), "login_time": .string(now()),
                "user_agent": "substrate-e2e",
            ], shows: "identity.login", to: user)
        try await identityWebhook(
            "signout", ["user_id": .string(user.id), "email": .string(user.email), "signout_time": .string(now())],
            shows: "identity.signout", to: user)
        try await log.step("a wrong webhook secret → 401") {
            let forged = GatewayClient(baseURL: gateway.baseURL, webhookSecret: "not-the-secret", http: gateway.http)
            let reply = try await forged.webhook(
                "login", json: ["user_id": .string(user.id), "email": .string(user.email), "login_time": .string(now())])
            try expect(reply.status == 401, "forged webhook → \(reply.status)")
        }
    }

    /// What a `pg_net` trigger does, and what the user then sees: the notification with their email.
    private func identityWebhook(_ route: String, _ body: JSONValue, shows type: String, to user: E2EUser) async throws {
        try await log.step("POST /webhooks/\(route) (X-Webhook-Secret) → 202") {
            let reply = try await gateway.webhook(route, json: body)
            try expect(reply.status == 202, "\(route) webhook → \(reply.status) \(reply.text)")
        }
        try await log.step("\(type) on the user's stream with the email") {
            _ = try await user.inbox.first(type, within: stepTimeout) { $0.payload["email"]?.stringValue == user.email }
        }
    }

    // MARK: messages

    func messages(sender: E2EUser, recipient: E2EUser, bystander: E2EUser) async throws {
        let broadcast = "e2e broadcast \(UUID().uuidString)"
        try await log.step("sender posts a broadcast message → 202") {
            try await send(sender, broadcast, visibility: "broadcast", to: nil)
        }
        for (label, user) in [("sender", sender), ("recipient", recipient), ("bystander", bystander)] {
            try await log.step("the broadcast reaches the \(label)") {
                _ = try await user.inbox.first("user.message", within: stepTimeout) { $0.payload["message"]?.stringValue == broadcast }
            }
        }
        let direct = "e2e direct \(UUID().uuidString)"
        try await log.step("sender posts a direct message to the recipient → 202") {
            try await send(sender, direct, visibility: "direct", to: recipient.id)
        }
        try await log.step("the direct message reaches the recipient") {
            let row = try await recipient.inbox.first("user.message", within: stepTimeout) { $0.payload["message"]?.stringValue == direct }
            try expect(row.recipientID == recipient.id && row.userID == sender.id, "direct row: \(row)")
        }
        // The bystander's marker is written after the direct message, so once the bystander's stream has delivered
        // it, the direct message (an older row) would have been delivered before it if it were visible.
        let marker = "e2e marker \(UUID().uuidString)"
        try await log.step("the bystander does not see the direct message (stream and REST)") {
            try await send(bystander, marker, visibility: "broadcast", to: nil)
            _ = try await bystander.inbox.first("user.message", within: stepTimeout) { $0.payload["message"]?.stringValue == marker }
            let leaked = await bystander.inbox.received.contains { $0.payload["message"]?.stringValue == direct }
            try expect(!leaked, "the bystander's stream delivered another user's direct message")
            let page = try await gateway.get("/api/v1/notifications?latest=500", token: bystander.token)
            try expect(page.status == 200 && !page.text.contains(direct), "GET /api/v1/notifications leaked the direct message")
        }
        try await log.step("a body claiming another user's id → 403 identity_mismatch") {
            let reply = try await gateway.post(
                "/api/v1/events/message",
                json: [
                    "user_id": .string(recipient.id), "message": "impersonation", "timestamp": .string(now()),
                ], token: sender.token)
            try expect(reply.status == 403, "impersonation → \(reply.status) \(reply.text)")
        }
    }

    private func send(_ user: E2EUser, _ message: String, visibility: String, to recipient: String?) async throws {
        let reply = try await gateway.post(
            "/api/v1/events/message",
            json: [
                "message": .string(message), "timestamp": .string(now()), "visibility": .string(visibility),
                "recipient_id": recipient.map(JSONValue.string) ?? .null,
            ], token: user.token)
        try expect(reply.status == 202, "POST /api/v1/events/message → \(reply.status) \(reply.text)")
    }

    // MARK: shared steps

    func expectBalance(_ user: E2EUser, _ expected: Int64) async throws {
        let reply = try await gateway.get("/api/v1/credits", token: user.token)
        try expect(reply.status == 200 && reply.json["balance"] == .int(expected), "credits → \(reply.status) \(reply.text), expected \(expected)")
    }

    func balance(_ user: E2EUser) async throws -> Int64 {
        let reply = try await gateway.get("/api/v1/credits", token: user.token)
        guard reply.status == 200, case .int(let balance)? = reply.json["balance"] else {
            throw E2EFailure("credits → \(reply.status) \(reply.text)")
        }
        return balance
    }

    /// POSTs an intent and returns its `request_id` (202 required, as the reference's client requires).
    func intent(_ kind: String, _ user: E2EUser, _ body: JSONValue) async throws -> String {
        let reply = try await gateway.post("/api/v1/media/\(kind)-intent", json: body, token: user.token)
        guard reply.status == 202, let requestID = reply.json["request_id"]?.stringValue else {
            throw E2EFailure("\(kind)-intent → \(reply.status) \(reply.text)")
        }
        return requestID
    }

    func now() -> String { Timestamps.rfc3339(Date()) }
}
