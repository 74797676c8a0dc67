import ArgumentParser
import AvroKit
import Foundation
import KafkaKit
import Shared

struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume a topic and print each record as a JSON line (decoded by its writer schema).")

    @Argument(help: "The topic.")
    var topic: String

    @Flag(help: "Start at the beginning of the topic (default: only new records).")
    var fromBeginning = false

    @Option(help: "Stop after this many records.")
    var limit: Int?

    func run() async throws {
        let context = try AdminContext()
        var configuration = context.settings.consumerConfiguration(
            groupID: "substrate-tail-\(UUID().uuidString.prefix(8))", topics: [topic])
        configuration.autoOffsetReset = fromBeginning ? "earliest" : "latest"
        let consumer = try KafkaConsumer(configuration: configuration, logger: context.logger)
        let limit = self.limit
        try await context.withRegistry { registry in
            // Shows every record as it is, U+0000 included (the workers' decoder refuses it; this one only prints).
            let codec = AvroEventCodec(registry: CachingSchemaRegistry(registry), decoder: AvroDecoder())
            var seen = 0
            for try await event in consumer.events {
                guard case .record(let record) = event else { continue }
                let line: String
                do {
                    let decoded = try await codec.decode(record)
                    line = Self.render(record, schemaID: decoded.schemaID, payload: decoded.payload)
                } catch {
                    line = Self.render(record, schemaID: nil, payload: ["undecodable": .string("\(error)")])
                }
                // Unbuffered so `substrate tail … | jq` shows records as they arrive.
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
                seen += 1
                if let limit, seen >= limit { break }
            }
        }
        await consumer.close()
    }

    static func render(_ record: KafkaConsumerRecord, schemaID: Int32?, payload: JSONValue) -> String {
        var headers = JSONObject()
        for header in record.headers { headers[header.key] = header.stringValue.map(JSONValue.string) ?? .null }
        let line: JSONValue = [
            "topic": .string(record.topic),
            "partition": .int(Int64(record.partition)),
            "offset": .int(record.offset),
            "key": record.key.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null,
            "schema_id": schemaID.map { .int(Int64($0)) } ?? .null,
            "headers": .object(headers),
            "value": payload,
        ]
        return line.jsonString()
    }
}
