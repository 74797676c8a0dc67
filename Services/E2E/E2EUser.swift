import AsyncHTTPClient
import AvroKit
import Foundation
import JWTAuth
import NIOCore
import NIOHTTP1

/// A signed-in user as a browser would be: a token, and a notification stream open from the moment of sign-in.
struct E2EUser: Sendable {
    let id: String
    let email: String
    let token: String
    let inbox: NotificationInbox
    private let reader: Task<Void, Never>

    /// Mints the token, asks for the newest visible notification (what the UI shows on sign-in) and streams
    /// everything after it; a dropped stream reconnects with `Last-Event-ID`, as `EventSource` does.
    static func signIn(_ label: String, gateway: GatewayClient, secret: String) async throws -> E2EUser {
        let id = UUID().uuidString.lowercased()
        let email = "e2e-\(label)-\(id.prefix(6))@e2e-test.local"
        let token = try await DevelopmentTokenMinter.mint(
            userID: id, email: email, secret: secret, expiresIn: .seconds(3600), issuer: nil)
        let latest = try await gateway.get("/api/v1/notifications?latest=1", token: token)
        guard latest.status == 200 else { throw E2EFailure("GET /api/v1/notifications?latest=1 → \(latest.status) \(latest.text)") }
        var cursor: Int64 = 0
        if case .int(let newest)? = latest.json["next_after"] { cursor = newest }
        let first = try await gateway.stream("/api/v1/notifications/stream?after=\(cursor)", token: token)
        guard first.status == .ok else { throw E2EFailure("GET /api/v1/notifications/stream → \(first.status.code)") }
        let inbox = NotificationInbox()
        let reader = Task {
            var response: HTTPClientResponse? = first
            var after = cursor
            while !Task.isCancelled {
                do {
                    let current: HTTPClientResponse
                    if let response { current = response } else {
                        current = try await gateway.stream("/api/v1/notifications/stream?after=\(after)", token: token)
                    }
                    response = nil
                    var parser = ServerSentEventParser()
                    for try await chunk in current.body {
                        for event in parser.feed(chunk.readableBytesView) {
                            guard let notification = ReceivedNotification(event) else { continue }
                            after = notification.id
                            await inbox.append(notification)
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                }
                await inbox.noteReconnect()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        return E2EUser(id: id, email: email, token: token, inbox: inbox, reader: reader)
    }

    func close() { reader.cancel() }
}
