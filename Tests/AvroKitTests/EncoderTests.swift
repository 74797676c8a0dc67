import AvroKit
import Testing

@Suite("Encoder")
struct EncoderTests {
    static let payloadSchema = try! AvroSchema(
        json: #"""
            {"type": "record", "name": "Envelope", "namespace": "t", "fields": [
              {"name": "id", "type": "string"},
              {"name": "count", "type": "int", "default": 0},
              {"name": "big", "type": "long", "default": 0},
              {"name": "ratio", "type": "float", "default": 0},
              {"name": "payload", "type": {"type": "record", "name": "Payload", "fields": [
                  {"name": "items", "type": {"type": "array", "items": {"type": "record", "name": "Item", "fields": [
                      {"name": "name", "type": "string"},
                      {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]}, "default": "A"}
                  ]}}},
                  {"name": "attrs", "type": {"type": "map", "values": "int"}, "default": {}}
              ]}},
              {"name": "tag", "type": {"type": "fixed", "name": "Tag", "size": 2}, "default": "ab"},
              {"name": "id2", "type": ["null", {"type": "string", "logicalType": "uuid"}], "default": null},
              {"name": "blob", "type": "bytes", "default": ""}
            ]}
            """#)

    static func encode(_ value: JSONValue, unknown: AvroEncoder.UnknownFieldPolicy = .reject) throws(AvroError) -> [UInt8] {
        try AvroEncoder(unknownFields: unknown).encode(value, as: payloadSchema)
    }

    static let valid: JSONValue = ["id": "x", "payload": ["items": [["name": "n", "kind": "B"]]]]

    @Test("known binary encodings (specification examples)")
    func knownBytes() throws {
        func bytes(_ schema: String, _ value: JSONValue) throws -> [UInt8] {
            try AvroEncoder().encode(value, as: try AvroSchema(json: schema))
        }
        #expect(try bytes(#""long""#, 0) == [0x00])
        #expect(try bytes(#""long""#, -1) == [0x01])
        #expect(try bytes(#""long""#, 1) == [0x02])
        #expect(try bytes(#""long""#, -64) == [0x7F])
        #expect(try bytes(#""long""#, 64) == [0x80, 0x01])
        #expect(try bytes(#""long""#, .int(.min)) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(try bytes(#""string""#, "foo") == [0x06, 0x66, 0x6F, 0x6F])
        #expect(try bytes(#"{"type":"array","items":"long"}"#, [3, 27]) == [0x04, 0x06, 0x36, 0x00])
        #expect(try bytes(#"["null","string"]"#, nil) == [0x00])
        #expect(try bytes(#"["null","string"]"#, "a") == [0x02, 0x02, 0x61])
        #expect(try bytes(#"["null","string"]"#, ["string": "a"]) == [0x02, 0x02, 0x61])
        #expect(try bytes(#""boolean""#, true) == [0x01])
        #expect(try bytes(#""float""#, 1.0) == [0x00, 0x00, 0x80, 0x3F])
        #expect(try bytes(#""double""#, 1) == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        #expect(try bytes(#""bytes""#, "\u{00}\u{FF}") == [0x04, 0x00, 0xFF])
        #expect(try bytes(#"{"type":"map","values":"int"}"#, ["a": 1]) == [0x02, 0x02, 0x61, 0x02, 0x00])
        #expect(try bytes(#""int""#, 1.0) == [0x02])
    }

    @Test("defaults fill missing fields (null branch for optional unions)")
    func defaults() throws {
        let bytes = try Self.encode(Self.valid)
        let decoded = try AvroDecoder().decode(bytes, as: Self.payloadSchema)
        #expect(decoded["count"] == 0)
        #expect(decoded["ratio"] == .double(0))
        #expect(decoded["tag"] == "ab")
        #expect(decoded["id2"] == .null)
        #expect(decoded["payload"]?["attrs"] == .object(JSONObject()))
    }

    @Test("union branch selection: first fitting branch, wrapped form, numeric fallbacks")
    func unions() throws {
        let schema = try AvroSchema(json: #"["null", "int", "double", "string", {"type":"map","values":"int"}]"#)
        func branch(_ v: JSONValue) throws -> UInt8 { try AvroEncoder().encode(v, as: schema)[0] / 2 }
        #expect(try branch(nil) == 0)
        #expect(try branch(5) == 1)
        #expect(try branch(5.0) == 1)
        #expect(try branch(5.5) == 2)
        #expect(try branch(.int(1 << 40)) == 2)  // too big for int → double
        #expect(try branch("s") == 3)
        #expect(try branch(["k": 1]) == 4)
        #expect(try branch(["double": 5]) == 2)  // wrapped form wins
        #expect(throws: AvroError.self) { try AvroEncoder().encode(true, as: schema) }
    }

    struct Case: Sendable, CustomStringConvertible {
        let value: JSONValue
        let code: AvroError.Code
        let path: String
        var description: String { "\(code) at \(path)" }
    }

    static let errorCases: [Case] = [
        Case(value: ["payload": ["items": []]], code: .missingField, path: "$.id"),
        Case(value: ["id": "x"], code: .missingField, path: "$.payload"),
        Case(value: ["id": "x", "payload": ["items": [["kind": "A"]]]], code: .missingField, path: "$.payload.items[0].name"),
        Case(value: ["id": 1, "payload": ["items": []]], code: .typeMismatch, path: "$.id"),
        Case(value: ["id": "x", "count": 1.5, "payload": ["items": []]], code: .typeMismatch, path: "$.count"),
        Case(value: ["id": "x", "count": 3_000_000_000, "payload": ["items": []]], code: .outOfRange, path: "$.count"),
        Case(value: ["id": "x", "big": 1e19, "payload": ["items": []]], code: .outOfRange, path: "$.big"),
        Case(value: ["id": "x", "ratio": 1e39, "payload": ["items": []]], code: .outOfRange, path: "$.ratio"),
        Case(value: ["id": "x", "ratio": "1", "payload": ["items": []]], code: .typeMismatch, path: "$.ratio"),
        Case(
            value: ["id": "x", "payload": ["items": [["name": "a"], ["name": "b"], ["name": "c"], ["name": 7]]]],
            code: .typeMismatch, path: "$.payload.items[3].name"),
        Case(value: ["id": "x", "payload": ["items": [["name": "a", "kind": "C"]]]], code: .unknownSymbol, path: "$.payload.items[0].kind"),
        Case(value: ["id": "x", "payload": ["items": [], "attrs": ["k": "v"]]], code: .typeMismatch, path: "$.payload.attrs[\"k\"]"),
        Case(value: ["id": "x", "extra": 1, "payload": ["items": []]], code: .unknownField, path: "$.extra"),
        Case(value: ["id": "x", "payload": ["items": [["name": "a", "nmae": "b"]]]], code: .unknownField, path: "$.payload.items[0].nmae"),
        Case(value: ["id": "x", "tag": "abc", "payload": ["items": []]], code: .outOfRange, path: "$.tag"),
        Case(value: ["id": "x", "blob": "日", "payload": ["items": []]], code: .outOfRange, path: "$.blob"),
        Case(value: ["id": "x", "id2": "not-a-uuid", "payload": ["items": []]], code: .typeMismatch, path: "$.id2"),
        Case(value: ["id": "x", "id2": 5, "payload": ["items": []]], code: .typeMismatch, path: "$.id2"),
        Case(value: ["id": "x", "payload": ["items": "no"]], code: .typeMismatch, path: "$.payload.items"),
        Case(value: [1], code: .typeMismatch, path: "$"),
    ]

    @Test("errors carry code and field path", arguments: errorCases)
    func errors(_ c: Case) {
        do {
            _ = try Self.encode(c.value)
            Issue.record("encoded invalid value \(c.value)")
        } catch {
            #expect(error.code == c.code, "\(error)")
            #expect(error.path == c.path, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test("unknown fields can be ignored; valid UUIDs are accepted")
    func policies() throws {
        let extra: JSONValue = [
            "id": "x", "extra": 1, "id2": "123e4567-E89B-12d3-a456-426614174000",
            "payload": ["items": [["name": "n", "zzz": true]]],
        ]
        let bytes = try Self.encode(extra, unknown: .ignore)
        let decoded = try AvroDecoder().decode(bytes, as: Self.payloadSchema)
        #expect(decoded["extra"] == nil)
        #expect(decoded["id2"] == "123e4567-E89B-12d3-a456-426614174000")
    }

    @Test("encode(into:) appends after a header and leaves the buffer untouched on error")
    func appending() throws {
        var buffer: [UInt8] = []
        ConfluentFrame.appendHeader(schemaID: 42, to: &buffer)
        try AvroEncoder().encode(Self.valid, as: Self.payloadSchema, into: &buffer)
        let (id, body) = try ConfluentFrame.parse(buffer)
        #expect(id == 42)
        #expect(try AvroDecoder().decode(body, as: Self.payloadSchema)["id"] == "x")
        let before = buffer
        #expect(throws: AvroError.self) { try AvroEncoder().encode(["id": 1], as: Self.payloadSchema, into: &buffer) }
        #expect(buffer == before)
    }

    @Test("encoder nesting limit")
    func depth() throws {
        let schema = try AvroSchema(json: #"{"type":"record","name":"N","fields":[{"name":"n","type":["null","N"]}]}"#)
        var value: JSONValue = ["n": nil]
        for _ in 0..<50 { value = ["n": value] }  // record + union per level: depth ~100
        do {
            _ = try AvroEncoder(maxDepth: 40).encode(value, as: schema)
            Issue.record("depth limit not enforced")
        } catch {
            #expect(error.code == .limitExceeded)
        }
        _ = try AvroEncoder().encode(value, as: schema)
    }
}
