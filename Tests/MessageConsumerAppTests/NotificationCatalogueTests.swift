import AvroKit
import MessageConsumerApp
import Shared
import Testing

@Suite("Notification catalogue (reference §6.8)")
struct NotificationCatalogueTests {
    func row(_ topic: String, _ payload: JSONValue) throws -> NotificationRow {
        try NotificationCatalogue.row(topic: topic, payload: payload, sourceEventID: "e-1")
    }

    @Test("messages keep visibility and recipient; payload is email and message")
    func messages() throws {
        let direct = try row(
            "public.user.message.events",
            ["user_id": "u1", "email": "a@x", "message": "hi", "timestamp": "t1", "visibility": "direct", "recipient_id": "u2"])
        #expect(direct == NotificationRow(
            userID: "u1", eventType: "user.message", payload: ["email": "a@x", "message": "hi"], eventTime: "t1",
            visibility: "direct", recipientID: "u2", sourceEventID: "e-1"))
        let broadcast = try row(
            "public.user.message.events",
            ["user_id": "u1", "email": "a@x", "message": "hi", "timestamp": "t1", "visibility": "", "recipient_id": ""])
        #expect(broadcast.visibility == "broadcast" && broadcast.recipientID == nil)
        #expect(throws: InvalidEventError.self) {
            try row("public.user.message.events", ["user_id": "u1", "email": "a", "message": "m", "timestamp": "t", "visibility": "direct", "recipient_id": .null])
        }
        #expect(throws: InvalidEventError.self) {
            try row("public.user.message.events", ["user_id": "u1", "email": "a", "message": "m", "timestamp": "t", "visibility": "secret"])
        }
        #expect(throws: InvalidEventError.self) {
            try row("public.user.message.events", ["user_id": "", "email": "a", "message": "m", "timestamp": "t"])
        }
    }

    @Test("every catalogue type maps to its event_type, payload keys and event time", arguments: [
        ("public.identity.login.events", "identity.login", "login_time", ["email", "device_id", "user_agent", "ip_address"]),
        ("public.identity.signup.events", "identity.signup", "signup_time", ["email"]),
        ("public.identity.signout.events", "identity.signout", "signout_time", ["email", "device_id", "user_agent", "ip_address"]),
        ("public.media.upload.signed", "media.upload_ready", "signed_time", ["upload_url", "file_path", "expires_in", "request_id"]),
        ("public.media.upload.rejected", "media.upload_rejected", "rejected_time", ["reason", "request_id", "file_name"]),
        ("public.media.upload.confirmed", "media.upload_completed", "upload_time", ["file_path", "file_name", "file_size", "media_type"]),
        ("public.media.expired.events", "media.upload_expired", "expired_time", ["file_path", "file_name", "amount_refunded", "request_id"]),
        ("internal.media.upload.dead-letter", "media.upload_failed", "dead_letter_time", ["file_name", "failure_reason", "retry_count"]),
        ("public.media.download.signed", "media.download_ready", "signed_time", ["download_url", "file_path", "expires_in", "request_id"]),
        ("public.media.download.rejected", "media.download_rejected", "rejected_time", ["file_path", "reason", "request_id"]),
        ("public.media.delete.events", "media.file_deleted", "delete_time", ["file_path", "file_name", "request_id"]),
        ("public.media.delete.rejected", "media.delete_rejected", "rejected_time", ["file_path", "reason", "request_id"]),
    ])
    func catalogue(topic: String, type: String, timeField: String, keys: [String]) throws {
        var event = JSONObject(keys.map { ($0, JSONValue.string("v-\($0)")) })
        event["user_id"] = "u1"
        event[timeField] = "2026-11-23T10:00:00Z"
        let mapped = try row(topic, .object(event))
        #expect(mapped.eventType == type)
        #expect(mapped.userID == "u1")
        #expect(mapped.eventTime == "2026-11-23T10:00:00Z")
        #expect(mapped.visibility == "private" && mapped.recipientID == nil)
        #expect(mapped.payload.objectValue?.keys == keys)
        if type == "media.upload_expired" { #expect(mapped.payload["amount_refunded"] == 1) }
    }

    @Test("credit changes drop absent optional fields")
    func credits() throws {
        let mapped = try row(
            "public.credit.balance_changed.events",
            ["user_id": "u1", "amount": 2, "balance": 2, "reason": "signup_bonus", "request_id": .null, "file_name": .null, "event_time": "t"])
        #expect(mapped.eventType == "credit.balance_changed")
        #expect(mapped.payload == ["amount": 2, "balance": 2, "reason": "signup_bonus"])
    }

    @Test("the consumer reads exactly the catalogue's topics, all of which have schemas")
    func topics() {
        #expect(NotificationCatalogue.topics.count == 14)
        #expect(NotificationCatalogue.topics.contains("public.user.message.events"))
    }
}
