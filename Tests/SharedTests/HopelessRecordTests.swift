import AvroKit
import Foundation
import Shared
import Testing

@Suite("Which failures make a record hopeless")
struct HopelessRecordTests {
    struct Payload: Decodable { var size: Int }
    struct ConnectionLost: Error {}

    @Test("undecodable bytes, invalid events, a missing or broken schema: hopeless, each with its kind")
    func hopeless() throws {
        #expect(HopelessRecord(AvroError(.truncated, "ran out of bytes"))?.kind == "decode")
        #expect(HopelessRecord(InvalidEventError(description: "a direct message needs a recipient_id"))?.kind == "invalid_event")
        #expect(HopelessRecord(SchemaRegistryError(.schemaNotFound, "id 7"))?.kind == "schema")
        #expect(HopelessRecord(SchemaRegistryError(.invalidSchema, "id 7"))?.kind == "schema")
        let error = try #require(Self.decodingError())
        let decoding = try #require(HopelessRecord(error))
        #expect(decoding.kind == "invalid_event" && decoding.reason.hasPrefix("invalid field size"))
        let already = HopelessRecord(reason: "the store refuses", kind: "store_refused")
        #expect(HopelessRecord(already)?.kind == "store_refused")
    }

    @Test("an unavailable registry, a lost connection, cancellation: transient, retried")
    func transient() {
        #expect(HopelessRecord(SchemaRegistryError(.unavailable, "connection refused")) == nil)
        #expect(HopelessRecord(CancellationError()) == nil)
        #expect(HopelessRecord(ConnectionLost()) == nil)
    }

    static func decodingError() -> DecodingError? {
        do {
            _ = try JSONDecoder().decode(Payload.self, from: Data(#"{"size": "big"}"#.utf8))
            return nil
        } catch {
            return error as? DecodingError
        }
    }
}
