import AvroKit
import Foundation
import KafkaKit
import PostgresNIO
import Shared

/// Publishing events the way services do (Confluent-framed Avro by the registered schema), and waiting for effects.
public enum TestEvents {
    public typealias Event = (topic: String, key: String, payload: JSONValue)

    /// Publishes events in order (acked); returns their event ids. `eventIDs` fixes them (to publish the same event
    /// twice, as a redelivery would).
    @discardableResult
    public static func publish(_ events: [Event], eventIDs: [UUID]? = nil) async throws -> [String] {
        try await Provisioning.shared.ensure()
        let settings = try TestEnvironment.settings()
        return try await TestEnvironment.withPostgres { client in
            let codec = AvroEventCodec(registry: CachingSchemaRegistry(EmbeddedSchemaRegistry(client: client, logger: TestEnvironment.logger)))
            var records: [KafkaProducerRecord] = []
            var ids: [String] = []
            for (index, event) in events.enumerated() {
                let outgoing = OutgoingEvent(
                    topic: event.topic, key: event.key, payload: event.payload, eventID: eventIDs?[index] ?? UUID(),
                    correlationID: "test")
                records.append(try await codec.record(for: outgoing))
                ids.append(outgoing.eventID.uuidString.lowercased())
            }
            let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: TestEnvironment.logger)
            var offset = 0
            while offset < records.count {
                let chunk = Array(records[offset..<min(records.count, offset + 5_000)])
                for result in await producer.send(batch: chunk) { _ = try result.get() }
                offset += chunk.count
            }
            await producer.shutdown()
            return ids
        }
    }

    /// Polls until `condition` holds or `timeout` passes; returns whether it held.
    /// An id no Postgres index entry can hold: 4,000 random characters, which do not compress below B-tree's
    /// 2,704-byte limit, so an insert that indexes it fails with SQLSTATE 54000.
    public static func unindexableID() -> String {
        String((0..<4000).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }

    public static func eventually(
        timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(200), _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: interval)
        }
        return try await condition()
    }
}
