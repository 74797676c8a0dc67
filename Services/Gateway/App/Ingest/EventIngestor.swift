import AvroKit
import HTTPTypes
import Foundation
import JWTAuth
import KafkaKit
import Logging
import Metrics
import Shared

/// The ingress pipeline shared by every write endpoint: bind identity from the token, encode by the topic's
/// registered schema (Confluent framing), produce with key and headers, and report only what the broker
/// acknowledged.
final class EventIngestor: Sendable {
    /// A validated, encoded event ready to produce.
    struct Prepared: Sendable {
        var eventID: UUID
        var record: KafkaProducerRecord
    }

    /// What the client gets for an accepted event.
    struct Accepted: Sendable {
        var eventID: UUID
        var topic: String
        var partition: Int32
        var offset: Int64

        var json: JSONValue {
            [
                "event_id": .string(eventID.lowercasedString), "topic": .string(topic),
                "partition": .int(Int64(partition)), "offset": .int(offset),
            ]
        }

        /// `json`, serialized straight to bytes (the single-event answer, on every request).
        var jsonBytes: [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(128)
            write(to: &out)
            return out
        }

        /// Appends `json` — plus `index` and `status` 202 for a batch item — without building JSON values first:
        /// ids are hex and dashes, Kafka topic names only `[a-zA-Z0-9._-]`, so nothing needs escaping.
        func write(to out: inout [UInt8], batchIndex: Int? = nil) {
            out.append(ascii: #"{"event_id":""#)
            eventID.appendLowercased(to: &out)
            out.append(ascii: #"","topic":""#)
            out.append(contentsOf: topic.utf8)
            out.append(ascii: #"","partition":"#)
            out.append(decimal: Int64(partition))
            out.append(ascii: #","offset":"#)
            out.append(decimal: offset)
            if let batchIndex {
                out.append(ascii: #","index":"#)
                out.append(decimal: Int64(batchIndex))
                out.append(ascii: #","status":202"#)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private let producer: KafkaProducer
    private let registry: any SchemaRegistry
    private let encoder = AvroEncoder(unknownFields: .reject)
    private let breaker: ProduceCircuitBreaker
    private let logger: Logger
    private let produceLatency = Timer(label: "gateway_produce_duration_seconds")
    private let accepted = Counter(label: "gateway_events_total", dimensions: [("result", "accepted")])
    private let rejected = Counter(label: "gateway_events_total", dimensions: [("result", "rejected")])

    init(producer: KafkaProducer, registry: any SchemaRegistry, breaker: ProduceCircuitBreaker, logger: Logger) {
        self.producer = producer
        self.registry = registry
        self.breaker = breaker
        self.logger = logger
    }

    /// What the events of one request share: the route, its topic's schema, the sender and the trace — worked out
    /// once per request, not once per event of a batch.
    struct Submission: Sendable {
        let route: RouteDefinition
        let schema: RegisteredSchema
        let user: AuthenticatedUser?
        let correlationID: String
        /// The route's bound fields with the sender's claims (none for webhooks).
        let bindings: [JSONAvroTranscoder.Binding]
        /// The headers after `event-id` on every record: correlation id, content type, trace context.
        let headers: [KafkaHeader]
        /// The record key when it is the sender (the usual case), shared by all the request's records.
        let senderKey: [UInt8]?
    }

    /// Looks up the route's topic's registered schema, which the request's events are encoded by.
    /// - Throws: `APIError` 503 when the registry cannot tell.
    func submission(
        route: RouteDefinition, user: AuthenticatedUser?, correlationID: String, traceparent: String?
    ) async throws(APIError) -> Submission {
        let schema: RegisteredSchema
        do {
            schema = try await registry.latest(subject: valueSubject(forTopic: route.topic))
        } catch {
            logger.error("schema lookup failed", metadata: ["topic": "\(route.topic)", "error": "\(error)"])
            throw APIError.unavailable("the schema for \(route.topic) is unavailable", code: "schema_unavailable", retryAfterSeconds: 5)
        }
        var headers = [
            KafkaHeader(key: EventHeaders.correlationID, string: correlationID),
            KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.avroContentType),
        ]
        if let traceparent { headers.append(KafkaHeader(key: EventHeaders.traceparent, string: traceparent)) }
        let bindings = user.map { user in
            route.bindings.map { JSONAvroTranscoder.Binding(field: $0.key, value: Self.claim($0.value, of: user)) }
        } ?? []
        return Submission(
            route: route, schema: schema, user: user, correlationID: correlationID, bindings: bindings, headers: headers,
            senderKey: user.map { Array($0.userID.utf8) })
    }

    /// Validates and encodes one event body for a route.
    /// - Throws: `APIError` 400 (not an object), 403 (identity field differs from the token), 422 (schema),
    ///   503 (registry unavailable).
    func prepare(
        route: RouteDefinition, body: JSONValue, user: AuthenticatedUser?, correlationID: String, traceparent: String?
    ) async throws(APIError) -> Prepared {
        try prepare(
            body: body,
            for: try await submission(route: route, user: user, correlationID: correlationID, traceparent: traceparent))
    }

    /// Validates and encodes one event given as JSON text — straight from the text when it can
    /// (``JSONAvroTranscoder``), else parsed and encoded as a tree. Either way the same record or the same error.
    /// - Throws: `APIError` 400 (malformed JSON, not an object), 403 (identity field differs from the token),
    ///   422 (schema).
    func prepare(json: ArraySlice<UInt8>, for submission: Submission) throws(APIError) -> Prepared {
        var value: [UInt8] = []
        value.reserveCapacity(64 + json.count)
        ConfluentFrame.appendHeader(schemaID: UInt32(bitPattern: submission.schema.id), to: &value)
        let transcoded = json.withUnsafeBufferPointer { text in
            JSONAvroTranscoder(schema: submission.schema.schema)
                .transcode(text, into: &value, bindings: submission.bindings, capturing: submission.route.keyField)
        }
        guard let transcoded else { return try prepare(body: try RequestReading.parse(json), for: submission) }
        return record(value: value, key: transcoded.captured, for: submission)
    }

    /// Validates and encodes one parsed event.
    func prepare(body: JSONValue, for submission: Submission) throws(APIError) -> Prepared {
        guard case .object(var object) = body else {
            throw APIError.badRequest("invalid_body", "the event must be a JSON object")
        }
        let route = submission.route
        if let user = submission.user {
            try Self.bindIdentity(route: route, user: user, schema: submission.schema.schema, into: &object)
        }
        var value: [UInt8] = []
        value.reserveCapacity(64 + object.count * 32)
        ConfluentFrame.appendHeader(schemaID: UInt32(bitPattern: submission.schema.id), to: &value)
        do {
            try encoder.encode(.object(object), as: submission.schema.schema, into: &value)
        } catch {
            rejected.increment()
            throw APIError.schemaViolation(error, topic: route.topic)
        }
        return record(value: value, key: object[route.keyField]?.stringValue, for: submission)
    }

    /// The Kafka record of an encoded event, with its id and headers. Keyed by the route's key field, else the
    /// sender, else the request.
    private func record(value: [UInt8], key: String?, for submission: Submission) -> Prepared {
        let eventID = UUID.timeOrdered()
        var id: [UInt8] = []
        id.reserveCapacity(36)
        eventID.appendLowercased(to: &id)
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(1 + submission.headers.count)
        headers.append(KafkaHeader(key: EventHeaders.eventID, value: id))
        headers.append(contentsOf: submission.headers)
        let keyBytes: [UInt8]
        if let senderKey = submission.senderKey, key == nil || key == submission.user?.userID {
            keyBytes = senderKey
        } else {
            keyBytes = Array((key ?? submission.correlationID).utf8)
        }
        return Prepared(
            eventID: eventID,
            record: KafkaProducerRecord(topic: submission.route.topic, key: keyBytes, value: value, headers: headers))
    }

    /// Produces one prepared event and waits for the broker's acknowledgement.
    func produce(_ prepared: Prepared) async throws(APIError) -> Accepted {
        guard await breaker.admit() else { throw brokerUnavailable() }
        let started = ContinuousClock.now
        do {
            let report = try await producer.send(prepared.record)
            produceLatency.record(since: started)
            breaker.recordSuccess()
            accepted.increment()
            return Accepted(eventID: prepared.eventID, topic: report.topic, partition: report.partition, offset: report.offset)
        } catch {
            breaker.recordFailure(error)
            logger.warning("produce failed", metadata: ["topic": "\(prepared.record.topic)", "error": "\(error)"])
            throw produceError(error)
        }
    }

    /// Prepares and produces one event given as JSON text: the whole single-event write path, as the 202 outcome to
    /// answer with.
    func accept(
        route: RouteDefinition, json: [UInt8], user: AuthenticatedUser?, correlationID: String, traceparent: String?
    ) async throws(APIError) -> IdempotencyGuard.Outcome {
        let prepared = try prepare(
            json: json[...],
            for: try await submission(route: route, user: user, correlationID: correlationID, traceparent: traceparent))
        let accepted = try await produce(prepared)
        return IdempotencyGuard.Outcome(status: .accepted, json: accepted.jsonBytes)
    }

    /// Produces many prepared events as one librdkafka batch; each gets its own result.
    func produce(batch: [Prepared]) async -> [Result<Accepted, APIError>] {
        guard !batch.isEmpty else { return [] }
        guard await breaker.admit() else { return batch.map { _ in .failure(brokerUnavailable()) } }
        let started = ContinuousClock.now
        let reports = await producer.send(batch: batch.map(\.record))
        produceLatency.record(since: started)
        // The breaker sees the outcomes in order; a run of successes is one success to it.
        var acceptedCount = 0
        var lastSucceeded = false
        let results = zip(batch, reports).map { prepared, result -> Result<Accepted, APIError> in
            switch result {
            case .success(let report):
                if !lastSucceeded { breaker.recordSuccess() }
                lastSucceeded = true
                acceptedCount += 1
                return .success(
                    Accepted(eventID: prepared.eventID, topic: report.topic, partition: report.partition, offset: report.offset))
            case .failure(let error):
                breaker.recordFailure(error)
                lastSucceeded = false
                return .failure(produceError(error))
            }
        }
        accepted.increment(by: acceptedCount)
        return results
    }

    private func brokerUnavailable() -> APIError {
        APIError.unavailable(
            "the event broker is unavailable; retry later", code: "broker_unavailable",
            retryAfterSeconds: breaker.retryAfterSeconds)
    }

    private func produceError(_ error: KafkaError) -> APIError {
        if error.code == .messageTooLarge {
            return APIError(.contentTooLarge, code: "event_too_large", message: "the event is larger than the broker accepts")
        }
        return APIError.unavailable(
            "the event was not accepted by the broker: \(error.code)", code: "broker_unavailable",
            retryAfterSeconds: breaker.retryAfterSeconds)
    }

    /// Puts token claims into the fields the route binds. A body that carries a *different* value for a bound field
    /// is an impersonation attempt and is refused; the same value is fine.
    static func bindIdentity(
        route: RouteDefinition, user: AuthenticatedUser, schema: AvroSchema, into object: inout JSONObject
    ) throws(APIError) {
        guard case .record(let record) = schema.root else { return }
        for (field, claim) in route.bindings where record.hasField(named: field) {
            let claimed = Self.claim(claim, of: user)
            if let supplied = object[field], supplied != .null, supplied != claimed.map(JSONValue.string) {
                throw APIError(
                    .forbidden, code: "identity_mismatch",
                    message: "\(field) is taken from your token and cannot be set to another value",
                    details: ["field": .string("$.\(field)")])
            }
            object[field] = claimed.map(JSONValue.string)
        }
    }

    /// The value of a token claim a route binds (`sub`, `email`, `role`).
    static func claim(_ name: String, of user: AuthenticatedUser) -> String? {
        switch name {
        case "sub": user.userID
        case "email": user.email
        case "role": user.role
        default: nil
        }
    }
}

extension [UInt8] {
    fileprivate mutating func append(ascii text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The decimal digits of `value`, written in place (no intermediate String).
    fileprivate mutating func append(decimal value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var width = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            width += 1
        }
        append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        var position = count - 1
        repeat {
            self[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            position -= 1
        } while magnitude > 0
    }
}
