import AvroKit

/// One row of `user_notifications`, ready to insert.
public struct NotificationRow: Sendable, Equatable {
    public var userID: String
    /// `{domain}.{entity}`, e.g. `media.upload_ready`.
    public var eventType: String
    /// The JSON payload (stored as text).
    public var payload: JSONValue
    public var eventTime: String
    /// `broadcast` or `direct` for messages; `private` for everything else (only the owner sees it).
    public var visibility: String
    public var recipientID: String?
    /// The source event's `event-id` (or `topic:partition:offset` when a producer sent none).
    public var sourceEventID: String

    public init(
        userID: String, eventType: String, payload: JSONValue, eventTime: String, visibility: String, recipientID: String?,
        sourceEventID: String
    ) {
        self.userID = userID
        self.eventType = eventType
        self.payload = payload
        self.eventTime = eventTime
        self.visibility = visibility
        self.recipientID = recipientID
        self.sourceEventID = sourceEventID
    }
}
