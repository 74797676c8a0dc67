import AvroKit
import Testing

@Suite("Decoder")
struct DecoderTests {
    static func decodeError(_ bytes: [UInt8], _ schema: String) throws -> AvroError? {
        do {
            _ = try AvroDecoder().decode(bytes, as: try AvroSchema(json: schema))
            return nil
        } catch {
            return error
        }
    }

    @Test("round trips of the repository schemas")
    func roundTrips() throws {
        for (index, (topic, json)) in try Fixtures.repoSchemas().enumerated() {
            let schema = try AvroSchema(json: json)
            var generator = RandomValues(seed: UInt64(index) &* 7919)
            for _ in 0..<20 {
                let (input, expected) = generator.value(schema.root)
                let bytes = try AvroEncoder().encode(input, as: schema)
                #expect(try AvroDecoder().decode(bytes, as: schema) == expected, "\(topic)")
                // Re-encoding the decoded value is byte-identical.
                #expect(try AvroEncoder().encode(expected, as: schema) == bytes)
            }
        }
    }

    @Test("malformed input yields precise errors", arguments: [
        ([UInt8](), #""int""#, AvroError.Code.truncated),
        ([0x80], #""long""#, .truncated),
        ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], #""long""#, .invalidData),
        ([0x80, 0x80, 0x80, 0x80, 0x10], #""int""#, .invalidData),
        ([0x02], #""boolean""#, .invalidData),
        ([0x01], #""string""#, .invalidData),
        ([0x08, 0x61], #""string""#, .truncated),
        ([0x04, 0xC3, 0x28], #""string""#, .invalidData),
        ([0x00, 0x00], #""int""#, .invalidData),
        ([0x04], #"{"type":"enum","name":"E","symbols":["A","B"]}"#, .invalidData),
        ([0x01], #"{"type":"enum","name":"E","symbols":["A","B"]}"#, .invalidData),
        ([0x04], #"["null","int"]"#, .invalidData),
        ([0x00, 0x00], #"{"type":"fixed","name":"F","size":3}"#, .truncated),
        ([0x00, 0x00, 0x80], #""float""#, .truncated),
        ([0xFE, 0xFF, 0xFF, 0xFF, 0x0F], #"{"type":"array","items":"long"}"#, .truncated),
        ([0x03, 0x01, 0x02], #"{"type":"array","items":"long"}"#, .invalidData),
        ([0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], #"{"type":"array","items":"null"}"#, .limitExceeded),
        ([0x04, 0x02, 0x61, 0x00, 0x02, 0x61, 0x00, 0x00], #"{"type":"map","values":"null"}"#, .invalidData),
    ])
    func malformed(bytes: [UInt8], schema: String, code: AvroError.Code) throws {
        let error = try #require(try Self.decodeError(bytes, schema))
        #expect(error.code == code, "\(error)")
        #expect(error.offset != nil)
    }

    @Test("negative block counts (with byte size) are read")
    func negativeBlocks() throws {
        let schema = try AvroSchema(json: #"{"type":"array","items":"int"}"#)
        // count -2, size 2, items 1, 2, then count 1, item 3, end.
        let bytes: [UInt8] = [0x03, 0x04, 0x02, 0x04, 0x02, 0x06, 0x00]
        #expect(try AvroDecoder().decode(bytes, as: schema) == [1, 2, 3])
    }

    @Test("U+0000 in a string or map key is refused when asked (nothing storing strings in Postgres can keep it)")
    func nul() throws {
        let schema = try AvroSchema(json: #"{"type":"map","values":"string"}"#)
        var inValue: [UInt8] = []
        try AvroEncoder().encode(["k": "a\u{0}b"], as: schema, into: &inValue)
        var inKey: [UInt8] = []
        try AvroEncoder().encode(["\u{0}": "v"], as: schema, into: &inKey)
        #expect(try AvroDecoder().decode(inValue, as: schema) == ["k": "a\u{0}b"])
        for bytes in [inValue, inKey] {
            #expect(throws: AvroError.self) { try AvroDecoder(rejectsNUL: true).decode(bytes, as: schema) }
        }
    }

    @Test("error paths point into nested data")
    func paths() throws {
        let schema = try AvroSchema(
            json: #"{"type":"record","name":"R","fields":[{"name":"xs","type":{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"b","type":"boolean"}]}}}]}"#
        )
        do {
            _ = try AvroDecoder().decode([0x04, 0x01, 0x07], as: schema)
            Issue.record("accepted bad boolean")
        } catch {
            #expect(error.code == .invalidData)
            #expect(error.path == "$.xs[1].b")
            #expect(error.offset == 2)
        }
    }

    @Test("deeply nested hostile input hits the depth limit instead of the stack")
    func deepRecursion() throws {
        let schema = try AvroSchema(json: #"{"type":"record","name":"N","fields":[{"name":"n","type":["null","N"]}]}"#)
        let bytes = [UInt8](repeating: 0x02, count: 1_000_000) + [0x00]
        do {
            _ = try AvroDecoder().decode(bytes, as: schema)
            Issue.record("no depth limit")
        } catch {
            #expect(error.code == .limitExceeded)
        }
    }

    @Test("random and truncated bytes never crash the decoder")
    func fuzz() throws {
        var rng = SeededRNG(seed: 0xF00D)
        let schemas = try Fixtures.repoSchemas().map(\.json) + DifferentialTests.syntheticSchemas.map(\.json)
        for json in schemas {
            let schema = try AvroSchema(json: json)
            var generator = RandomValues(seed: rng.next())
            for _ in 0..<30 {
                let valid = try AvroEncoder().encode(generator.value(schema.root).input, as: schema)
                for cut in 0..<valid.count {
                    #expect(throws: AvroError.self) { try AvroDecoder().decode(valid[..<cut], as: schema) }
                }
                var mutated = valid
                if !mutated.isEmpty {
                    for _ in 0..<3 { mutated[Int.random(in: 0..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                }
                _ = try? AvroDecoder().decode(mutated, as: schema)
                let noise = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                _ = try? AvroDecoder().decode(noise, as: schema)
            }
        }
    }
}
