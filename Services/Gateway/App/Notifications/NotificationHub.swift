import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import ServiceLifecycle

/// Fans Postgres `NOTIFY user_notifications` out to the SSE streams concerned.
///
/// One connection LISTENs for the whole gateway. A notification only wakes streams; each stream then reads its rows
/// (after its last id) from the table, so a lost notification, a reconnect or a late subscriber never loses a row.
/// After a reconnect every stream is woken, since notifications sent meanwhile are gone.
final class NotificationHub: Service, Sendable {
    private let postgres: PostgresClient
    private let logger: Logger
    /// One lock for both, so a subscription cannot slip in after `closeAll` emptied the table (it would never end).
    private let state = NIOLockedValueBox(State())

    private struct State {
        var subscribers: [UUID: Subscriber] = [:]
        var closed = false
    }

    struct Subscriber {
        var userID: String
        var continuation: AsyncStream<Void>.Continuation
    }

    init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
    }

    /// A stream of wake-ups for one user's SSE connection; call `unsubscribe` when it ends.
    func subscribe(userID: String) -> (id: UUID, wakeUps: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        let subscribed = state.withLockedValue { state in
            guard !state.closed else { return false }
            state.subscribers[id] = Subscriber(userID: userID, continuation: continuation)
            return true
        }
        if !subscribed { continuation.finish() }
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        state.withLockedValue { $0.subscribers.removeValue(forKey: id) }?.continuation.finish()
    }

    var subscriberCount: Int { state.withLockedValue { $0.subscribers.count } }

    /// Ends every stream and refuses new ones: called when the gateway starts draining, so open SSE responses finish
    /// and the HTTP server can shut down.
    func closeAll() {
        let all = state.withLockedValue { state in
            state.closed = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff: Duration = .milliseconds(200)
            while !Task.isCancelled {
                do {
                    try await self.postgres.withConnection { connection in
                        try await connection.listen(on: "user_notifications") { notifications in
                            self.wakeAll()  // rows may have arrived while we were not listening
                            for try await notification in notifications { self.dispatch(notification.payload) }
                        }
                    }
                    backoff = .milliseconds(200)
                } catch {
                    if Task.isCancelled { break }
                    self.logger.warning("notification listener lost; reconnecting", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        closeAll()
    }

    private func dispatch(_ payload: String) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] else {
            wakeAll()
            return
        }
        if object["broadcast"] as? Bool == true {
            wakeAll()
            return
        }
        let concerned = Set([object["user_id"] as? String, object["recipient_id"] as? String].compactMap { $0 })
        state.withLockedValue { state in
            for subscriber in state.subscribers.values where concerned.contains(subscriber.userID) {
                subscriber.continuation.yield()
            }
        }
    }

    private func wakeAll() {
        state.withLockedValue { state in
            for subscriber in state.subscribers.values { subscriber.continuation.yield() }
        }
    }
}
