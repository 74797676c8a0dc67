import AvroKit
import Foundation

/// One notification as the SSE stream delivered it.
struct ReceivedNotification: Sendable {
    var id: Int64
    var eventType: String
    var userID: String
    var recipientID: String?
    var visibility: String
    var payload: JSONValue

    init?(_ event: ServerSentEventParser.Event) {
        guard event.event == "notification", let json = try? JSONValue.parse(event.data),
            case .int(let id)? = json["id"], let type = json["event_type"]?.stringValue,
            let user = json["user_id"]?.stringValue
        else { return nil }
        self.id = id
        eventType = type
        userID = user
        recipientID = json["recipient_id"]?.stringValue
        visibility = json["visibility"]?.stringValue ?? ""
        payload = json["payload"] ?? .null
    }
}

struct E2EFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Everything one user's SSE stream has delivered so far, for the journeys to wait on.
actor NotificationInbox {
    private(set) var received: [ReceivedNotification] = []
    private(set) var reconnects = 0

    /// Ids delivered more than once: a reconnect resumes after the last id, so a row can only come twice if the
    /// server broke that promise.
    private(set) var duplicates: [Int64] = []

    func append(_ notification: ReceivedNotification) {
        if received.contains(where: { $0.id == notification.id }) {
            duplicates.append(notification.id)
            return
        }
        received.append(notification)
    }

    func noteReconnect() { reconnects += 1 }

    /// The first delivered notification of `type` that `matches`, waiting up to `timeout`.
    func first(
        _ type: String, within timeout: Duration, where matches: @Sendable (ReceivedNotification) -> Bool = { _ in true }
    ) async throws -> ReceivedNotification {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = received.first(where: { $0.eventType == type && matches($0) }) { return found }
            guard ContinuousClock.now < deadline else {
                let seen = received.map(\.eventType).joined(separator: ", ")
                throw E2EFailure("no \(type) within \(timeout) (stream delivered: \(seen.isEmpty ? "nothing" : seen))")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
