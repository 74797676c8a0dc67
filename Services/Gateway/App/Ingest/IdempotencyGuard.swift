import AvroKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import RedisKit
import Shared

/// `Idempotency-Key` handling: a completed request's response is replayed (same `event_id`), a concurrent repeat gets
/// 409, a different body under the same key 422, and a failed request gives the key back so the client can retry —
/// one that threw, and one whose outcome is a server error (never stored, so never replayed).
struct IdempotencyGuard: Sendable {
    let store: RedisIdempotencyStore
    let ttl: Duration
    let logger: Logger
    /// How long a started key is held if its request never finishes (crash). Longer than any request can take, so a
    /// repeat cannot start a second produce while the first one may still be acknowledged.
    let pendingLease: Duration
    private let replays = Counter(label: "gateway_idempotency_replays_total")

    /// - Parameter longestRequest: the longest a request under a key can run (the produce timeout): the pending lease
    ///   is that plus a margin.
    init(store: RedisIdempotencyStore, ttl: Duration, longestRequest: Duration, logger: Logger) {
        self.store = store
        self.ttl = ttl
        self.pendingLease = longestRequest + .seconds(30)
        self.logger = logger
    }

    /// The result of an idempotent operation, before it becomes a response: the JSON body already serialized (it is
    /// both the response and, under a key, what is stored for replays).
    struct Outcome: Sendable {
        var status: HTTPResponse.Status
        var body: [UInt8]
        var headers: HTTPFields = [:]

        init(status: HTTPResponse.Status, json: [UInt8], headers: HTTPFields = [:]) {
            self.status = status
            self.body = json
            self.headers = headers
        }

        init(status: HTTPResponse.Status, body: JSONValue, headers: HTTPFields = [:]) {
            self.init(status: status, json: body.jsonBytes(), headers: headers)
        }

        var response: Response { RequestReading.json(status, bytes: body, headers: headers) }
    }

    /// Runs `operation` at most once per (scope, key). Without a key it just runs it.
    func run(
        request: Request, scope: @autoclosure () -> String, body: [UInt8], operation: () async throws -> Outcome
    ) async throws -> Response {
        guard let key = request.headers.value(of: .idempotencyKey) else {
            return try await operation().response
        }
        guard !key.isEmpty, key.count <= 255 else {
            throw APIError.badRequest("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters")
        }
        let storageKey = "\(scope()):\(key)"
        let fingerprint = sha256Hex(body)
        let begun: RedisIdempotencyStore.BeginOutcome
        do {
            begun = try await store.begin(key: storageKey, fingerprint: fingerprint, pendingLease: pendingLease)
        } catch {
            logger.warning("idempotency store unavailable", metadata: ["error": "\(error)"])
            throw APIError.unavailable(
                "idempotency keys are unavailable; retry later", code: "idempotency_unavailable", retryAfterSeconds: 1)
        }
        switch begun {
        case .completed(let status, let stored):
            replays.increment()
            return RequestReading.json(HTTPResponse.Status(code: status), bytes: stored, headers: [.idempotentReplay: "true"])
        case .inFlight:
            throw APIError(
                .conflict, code: "idempotency_in_flight",
                message: "a request with this Idempotency-Key is still being processed")
        case .fingerprintMismatch:
            throw APIError(
                .unprocessableContent, code: "idempotency_key_reused",
                message: "this Idempotency-Key was used with a different request body")
        case .started:
            let outcome: Outcome
            do {
                outcome = try await operation()
            } catch {
                try? await store.release(key: storageKey, fingerprint: fingerprint)
                throw error
            }
            guard outcome.status.kind != .serverError else {
                try? await store.release(key: storageKey, fingerprint: fingerprint)
                return outcome.response
            }
            do {
                try await store.complete(
                    key: storageKey, fingerprint: fingerprint, status: outcome.status.code, body: outcome.body, ttl: ttl)
            } catch {
                logger.warning("could not store idempotent response", metadata: ["error": "\(error)"])
            }
            return outcome.response
        }
    }
}
