import AvroKit
import Shared

/// Which events become which notifications (reference §6.3 and §6.8, with the request ids the reference dropped).
/// Pure functions of the decoded payload: unit-testable, no I/O.
public enum NotificationCatalogue {
    typealias Mapping = @Sendable (JSONValue) throws(InvalidEventError) -> Partial

    /// The part of a row that depends on the payload; the consumer adds the source event id.
    struct Partial {
        var userID: String
        var eventType: String
        var payload: JSONObject
        var eventTime: String
        var visibility: String = "private"
        var recipientID: String?
    }

    /// Every topic the MessageConsumer reads.
    public static var topics: [String] { mappings.keys.sorted() }

    /// Maps a decoded event to its notification row.
    public static func row(topic: String, payload: JSONValue, sourceEventID: String) throws(InvalidEventError)
        -> NotificationRow
    {
        guard let mapping = mappings[topic] else { throw InvalidEventError(description: "no notification for topic \(topic)") }
        let partial = try mapping(payload)
        return NotificationRow(
            userID: partial.userID, eventType: partial.eventType, payload: .object(partial.payload),
            eventTime: partial.eventTime, visibility: partial.visibility, recipientID: partial.recipientID,
            sourceEventID: sourceEventID)
    }

    static let mappings: [String: Mapping] = [
        "public.user.message.events": { event throws(InvalidEventError) in
            let visibility = optionalString(event, "visibility").flatMap { $0.isEmpty ? nil : $0 } ?? "broadcast"
            let recipient = optionalString(event, "recipient_id").flatMap { $0.isEmpty ? nil : $0 }
            guard visibility == "broadcast" || visibility == "direct" else {
                throw InvalidEventError(description: "visibility must be broadcast or direct, got \(visibility)")
            }
            if visibility == "direct", recipient == nil {
                throw InvalidEventError(description: "a direct message needs a recipient_id")
            }
            return Partial(
                userID: try string(event, "user_id"), eventType: "user.message",
                payload: pick(event, ["email", "message"]), eventTime: try string(event, "timestamp"),
                visibility: visibility, recipientID: visibility == "direct" ? recipient : nil)
        },
        "public.identity.login.events": identity("identity.login", time: "login_time", fields: ["email", "device_id", "user_agent", "ip_address"]),
        "public.identity.signup.events": identity("identity.signup", time: "signup_time", fields: ["email"]),
        "public.identity.signout.events": identity("identity.signout", time: "signout_time", fields: ["email", "device_id", "user_agent", "ip_address"]),
        "public.credit.balance_changed.events": simple(
            "credit.balance_changed", time: "event_time", fields: ["amount", "balance", "reason", "request_id", "file_name"],
            dropNulls: true),
        "public.media.upload.signed": simple("media.upload_ready", time: "signed_time", fields: ["upload_url", "file_path", "expires_in", "request_id"]),
        "public.media.upload.rejected": simple("media.upload_rejected", time: "rejected_time", fields: ["reason", "request_id", "file_name"]),
        "public.media.upload.confirmed": simple("media.upload_completed", time: "upload_time", fields: ["file_path", "file_name", "file_size", "media_type"]),
        "public.media.expired.events": { event throws(InvalidEventError) in
            var payload = pick(event, ["file_path", "file_name"])
            payload["amount_refunded"] = 1
            payload["request_id"] = event["request_id"] ?? .null
            return Partial(userID: try string(event, "user_id"), eventType: "media.upload_expired", payload: payload, eventTime: try string(event, "expired_time"))
        },
        "internal.media.upload.dead-letter": simple("media.upload_failed", time: "dead_letter_time", fields: ["file_name", "failure_reason", "retry_count"]),
        "public.media.download.signed": simple("media.download_ready", time: "signed_time", fields: ["download_url", "file_path", "expires_in", "request_id"]),
        "public.media.download.rejected": simple("media.download_rejected", time: "rejected_time", fields: ["file_path", "reason", "request_id"]),
        "public.media.delete.events": simple("media.file_deleted", time: "delete_time", fields: ["file_path", "file_name", "request_id"]),
        "public.media.delete.rejected": simple("media.delete_rejected", time: "rejected_time", fields: ["file_path", "reason", "request_id"]),
    ]

    private static func identity(_ type: String, time: String, fields: [String]) -> Mapping {
        simple(type, time: time, fields: fields)
    }

    private static func simple(_ type: String, time: String, fields: [String], dropNulls: Bool = false) -> Mapping {
        { event throws(InvalidEventError) in
            var payload = pick(event, fields)
            if dropNulls { payload = JSONObject(payload.members.filter { $0.value != .null }.map { ($0.key, $0.value) }) }
            return Partial(userID: try string(event, "user_id"), eventType: type, payload: payload, eventTime: try string(event, time))
        }
    }

    private static func pick(_ event: JSONValue, _ fields: [String]) -> JSONObject {
        JSONObject(fields.map { ($0, event[$0] ?? .null) })
    }

    private static func string(_ event: JSONValue, _ field: String) throws(InvalidEventError) -> String {
        guard case .string(let value)? = event[field], !value.isEmpty else {
            throw InvalidEventError(description: "\(field) is missing or empty")
        }
        return value
    }

    private static func optionalString(_ event: JSONValue, _ field: String) -> String? {
        if case .string(let value)? = event[field] { return value }
        return nil
    }
}
