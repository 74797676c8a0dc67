import AvroKit
import Foundation
import KafkaKit

/// An event to publish: a JSON payload for a topic's registered schema, with its tracing identity.
public struct OutgoingEvent: Sendable {
    public var topic: String
    /// The entity whose order matters (user id, file path). Never empty.
    public var key: String
    public var payload: JSONValue
    public var eventID: UUID
    public var correlationID: String
    public var causationID: String?
    public var traceparent: String?

    public init(
        topic: String, key: String, payload: JSONValue, eventID: UUID = UUID(), correlationID: String,
        causationID: String? = nil, traceparent: String? = nil
    ) {
        self.topic = topic
        self.key = key
        self.payload = payload
        self.eventID = eventID
        self.correlationID = correlationID
        self.causationID = causationID
        self.traceparent = traceparent
    }
}

/// A consumed event: the decoded payload plus the record it came from.
public struct IncomingEvent: Sendable {
    public var record: KafkaConsumerRecord
    public var schemaID: Int32
    public var payload: JSONValue
    public var eventID: String? { record.header(EventHeaders.eventID) }
    public var correlationID: String? { record.header(EventHeaders.correlationID) }
}

/// Turns events into Confluent-framed Avro records and back, through a schema registry.
public struct AvroEventCodec: Sendable {
    public let registry: any SchemaRegistry
    public let encoder: AvroEncoder
    public let decoder: AvroDecoder

    /// - Parameter decoder: by default one that refuses strings holding U+0000 — the workers store what they read in
    ///   Postgres, which cannot hold that character, so such an event is undecodable for them (dead-lettered) rather
    ///   than a write that fails for ever. A reader that only shows records passes `AvroDecoder()`.
    public init(
        registry: any SchemaRegistry, encoder: AvroEncoder = AvroEncoder(), decoder: AvroDecoder = AvroDecoder(rejectsNUL: true)
    ) {
        self.registry = registry
        self.encoder = encoder
        self.decoder = decoder
    }

    /// Encodes by the topic's latest registered schema.
    /// - Throws: `AvroError` naming the offending field, or `SchemaRegistryError`.
    public func record(for event: OutgoingEvent) async throws -> KafkaProducerRecord {
        let registered = try await registry.latest(subject: valueSubject(forTopic: event.topic))
        var value: [UInt8] = []
        value.reserveCapacity(256)
        ConfluentFrame.appendHeader(schemaID: UInt32(bitPattern: registered.id), to: &value)
        try encoder.encode(event.payload, as: registered.schema, into: &value)
        return KafkaProducerRecord(
            topic: event.topic, key: Array(event.key.utf8), value: value, headers: headers(for: event))
    }

    public func headers(for event: OutgoingEvent) -> [KafkaHeader] {
        var headers = [
            KafkaHeader(key: EventHeaders.eventID, string: event.eventID.lowercasedString),
            KafkaHeader(key: EventHeaders.correlationID, string: event.correlationID),
            KafkaHeader(key: EventHeaders.contentType, string: EventHeaders.avroContentType),
        ]
        if let causation = event.causationID { headers.append(KafkaHeader(key: EventHeaders.causationID, string: causation)) }
        if let traceparent = event.traceparent { headers.append(KafkaHeader(key: EventHeaders.traceparent, string: traceparent)) }
        return headers
    }

    /// Decodes a framed record by its writer schema id.
    public func decode(_ record: KafkaConsumerRecord) async throws -> IncomingEvent {
        let (schemaID, body) = try ConfluentFrame.parse(record.value)
        let schema = try await registry.schema(id: Int32(bitPattern: schemaID))
        let payload = try decoder.decode(body, as: schema)
        return IncomingEvent(record: record, schemaID: Int32(bitPattern: schemaID), payload: payload)
    }
}
