import AvroKit
import Foundation
import KafkaKit
import Shared
import Testing
import TestSupport

@Suite("Avro events through the registry and the broker", .serialized, .timeLimit(.minutes(2)))
struct AvroEventPipelineTests {
    @Test("an event encoded by its topic's registered schema decodes back, with its headers, from the broker")
    func encodeProduceConsumeDecode() async throws {
        let settings = try TestEnvironment.settings()
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            let topic = TestEnvironment.uniqueName("it.avro.message")
            let schema = try String(
                contentsOfFile: "\(TestEnvironment.repositoryRoot)/avro/public/user/message.events.avsc", encoding: .utf8)
            let registry = CachingSchemaRegistry(EmbeddedSchemaRegistry(client: client, logger: TestEnvironment.logger))
            let registered = try await registry.register(subject: valueSubject(forTopic: topic), schemaJSON: schema)
            let codec = AvroEventCodec(registry: registry)

            let payload: JSONValue = [
                "user_id": "u-1", "email": "u1@example.com", "message": "héllo ✓", "timestamp": "2026-11-23T10:00:00Z",
                "visibility": "direct", "recipient_id": "u-2",
            ]
            let event = OutgoingEvent(topic: topic, key: "u-1", payload: payload, correlationID: "req-42")
            let record = try await codec.record(for: event)
            #expect(record.value.prefix(5) == [0] + withUnsafeBytes(of: UInt32(bitPattern: registered.id).bigEndian, Array.init))

            let admin = try KafkaAdmin(client: settings.kafka, logger: TestEnvironment.logger)
            _ = try await admin.createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
            let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: TestEnvironment.logger)
            try await producer.send(record)
            await producer.shutdown()

            let consumer = try KafkaConsumer(
                configuration: settings.consumerConfiguration(groupID: TestEnvironment.uniqueName("it-avro"), topics: [topic]),
                logger: TestEnvironment.logger)
            var decoded: IncomingEvent?
            for try await next in consumer.events {
                if case .record(let consumed) = next {
                    decoded = try await codec.decode(consumed)
                    break
                }
            }
            await consumer.close()
            let incoming = try #require(decoded)
            #expect(incoming.payload == payload)
            #expect(incoming.schemaID == registered.id)
            #expect(incoming.eventID == event.eventID.uuidString.lowercased())
            #expect(incoming.correlationID == "req-42")
            #expect(incoming.record.header(EventHeaders.contentType) == EventHeaders.avroContentType)
            #expect(incoming.record.key == Array("u-1".utf8))

            // A schema violation names the field.
            var bad = event
            bad.payload = ["user_id": "u-1", "email": "x", "message": .int(5), "timestamp": "t"]
            await #expect(throws: AvroError.self) { try await codec.record(for: bad) }
            do {
                _ = try await codec.record(for: bad)
            } catch let error as AvroError {
                #expect(error.path == "$.message")
            }
        }
    }
}
