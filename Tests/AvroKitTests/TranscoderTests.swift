import AvroKit
import Testing

/// `JSONAvroTranscoder` must give, for every input, exactly what parsing and tree-encoding gives — or step aside.
@Suite("JSON → Avro transcoder")
struct TranscoderTests {
    private static let message = """
        {"type": "record", "name": "M", "fields": [
          {"name": "user_id", "type": "string"},
          {"name": "email", "type": ["null", "string"], "default": null},
          {"name": "message", "type": "string"},
          {"name": "visibility", "type": "string", "default": "broadcast"},
          {"name": "count", "type": "long", "default": 0},
          {"name": "id", "type": {"type": "string", "logicalType": "uuid"}, "default": "00000000-0000-0000-0000-000000000000"},
          {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
          {"name": "either", "type": ["null", "int", "string", "double"], "default": null},
          {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}, "default": "A"},
          {"name": "attributes", "type": {"type": "map", "values": "long"}, "default": {}},
          {"name": "nested", "type": {"type": "record", "name": "N", "fields": [
             {"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}]},
           "default": {"a": 1}}
        ]}
        """

    /// The tree path, as the gateway runs it: parse, refuse a conflicting bound field, bind, encode.
    private static func treeEncode(
        _ text: [UInt8], schema: AvroSchema, bindings: [JSONAvroTranscoder.Binding], capture: String?
    ) -> (bytes: [UInt8], captured: String?)? {
        guard case .object(var object)? = try? JSONValue.parse(text) else { return nil }
        if case .record(let record) = schema.root {
            for binding in bindings where record.hasField(named: binding.field) {
                if let supplied = object[binding.field], supplied != .null, supplied != binding.value.map(JSONValue.string) {
                    return nil
                }
                object[binding.field] = binding.value.map(JSONValue.string)
            }
        }
        guard let bytes = try? AvroEncoder(unknownFields: .reject).encode(.object(object), as: schema) else { return nil }
        return (bytes, capture.flatMap { object[$0]?.stringValue })
    }

    private static func transcode(
        _ text: [UInt8], schema: AvroSchema, bindings: [JSONAvroTranscoder.Binding], capture: String?
    ) -> (bytes: [UInt8], captured: String?)? {
        var out: [UInt8] = [0xEE]  // something already in the buffer, which must survive either way
        let result = text.withUnsafeBufferPointer {
            JSONAvroTranscoder(schema: schema).transcode($0, into: &out, bindings: bindings, capturing: capture)
        }
        guard out.first == 0xEE else { return ([], "prefix clobbered") }
        guard let result else {
            #expect(out == [0xEE], "a declined transcode left bytes behind")
            return nil
        }
        return (Array(out.dropFirst()), result.captured)
    }

    /// Asserts agreement; returns whether the fast path took it.
    @discardableResult
    private static func agree(
        _ text: String, schema: AvroSchema, bindings: [JSONAvroTranscoder.Binding] = [], capture: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        agree(Array(text.utf8), schema: schema, bindings: bindings, capture: capture, sourceLocation: sourceLocation)
    }

    @discardableResult
    private static func agree(
        _ text: [UInt8], schema: AvroSchema, bindings: [JSONAvroTranscoder.Binding] = [], capture: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let tree = treeEncode(text, schema: schema, bindings: bindings, capture: capture)
        guard let fast = transcode(text, schema: schema, bindings: bindings, capture: capture) else { return false }
        let shown = String(decoding: text, as: UTF8.self)
        #expect(tree != nil, "transcoded what the tree path refuses: \(shown)", sourceLocation: sourceLocation)
        #expect(fast.bytes == tree?.bytes, "bytes differ for \(shown)", sourceLocation: sourceLocation)
        #expect(fast.captured == tree?.captured, "captured differs for \(shown)", sourceLocation: sourceLocation)
        return true
    }

    @Test("ordinary events take the fast path and match the tree encoder, in any key order")
    func ordinaryEvents() throws {
        let schema = try AvroSchema(json: Self.message)
        let bindings = [JSONAvroTranscoder.Binding(field: "user_id", value: "u-1"), .init(field: "email", value: "a@b.c")]
        let bodies = [
            #"{"message": "hi"}"#,
            #"{"message": "hi", "visibility": "direct", "count": 3}"#,
            #"{"count": 3, "message": "hi"}"#,
            #"{"nested": {"b": "y", "a": 2}, "message": "x", "user_id": "u-1"}"#,
            #"{"user_id": null, "email": "a@b.c", "message": "\u00e9\n\"q\" \ud83c\udf89 日本"}"#,
            #"{"message": "m", "tags": ["a", "b\t"], "attributes": {"x": 1, "y": -2}, "kind": "B"}"#,
            #"{"message": "m", "either": 5}"#,
            #"{"message": "m", "either": 5.5}"#,
            #"{"message": "m", "either": "s"}"#,
            #"{"message": "m", "either": 3000000000}"#,
            #"{"message": "m", "count": 1.0, "id": "0192f1a0-aaaa-7bbb-8ccc-1234567890ab"}"#,
            " \n{ \"message\" : \"m\" , \"tags\" : [ ] , \"attributes\" : { } } \t",
        ]
        for body in bodies {
            #expect(Self.agree(body, schema: schema, bindings: bindings, capture: "user_id"), "declined \(body)")
            #expect(Self.agree(body, schema: schema, bindings: bindings, capture: "visibility"), "declined \(body)")
        }
        #expect(Self.agree(#"{"user_id": "u", "message": "m"}"#, schema: schema, capture: "user_id"))
    }

    @Test("what the tree path refuses or treats specially is declined")
    func declines() throws {
        let schema = try AvroSchema(json: Self.message)
        let bindings = [JSONAvroTranscoder.Binding(field: "user_id", value: "u-1")]
        let bodies = [
            #"{"message": "m", "user_id": "someone-else"}"#,  // impersonation: the tree path answers 403
            #"{"message": "m", "user_id": 5}"#,
            #"{"message": "m", "unknown": 1}"#,
            #"{"message": "m", "message": "again"}"#,
            #"{"message": "m", "count": 1.5}"#,
            #"{"message": "m", "id": "not-a-uuid"}"#,
            #"{"message": "m", "kind": "C"}"#,
            #"{"message": "m", "either": {"int": 1}}"#,  // the wrapped union form is the tree encoder's
            #"{"message": "m", "attributes": {"x": 1, "x": 2}}"#,
            #"{"message": "m", "nested": {}}"#,
            #"{"visibility": "direct"}"#,  // message missing
            #"{"message": "m"} x"#,
            #"{"message": "m",}"#,
            #"{"message": "\x"}"#,
            #"{"message": "\ud800"}"#,
            #"["message"]"#,
            "",
        ]
        for body in bodies {
            #expect(!Self.agree(body, schema: schema, bindings: bindings), "transcoded \(body)")
        }
        // A nil-valued binding leaves the field to its default, or declines when it has none.
        #expect(Self.agree(#"{"message": "m"}"#, schema: schema, bindings: [.init(field: "email", value: nil), .init(field: "user_id", value: "u")]))
        #expect(!Self.agree(#"{"message": "m"}"#, schema: schema, bindings: [.init(field: "user_id", value: nil)]))
    }

    @Test("a union takes the branch the tree encoder takes, even where the fast path cannot follow a branch")
    func unionBranches() throws {
        let cases: [(union: String, body: String)] = [
            (#"["bytes", "string"]"#, #"{"v": "abc"}"#),
            (#"[{"type": "fixed", "name": "F", "size": 3}, "string"]"#, #"{"v": "abc"}"#),
            (#"[{"type": "enum", "name": "S", "symbols": ["abc"]}, "string"]"#, #"{"v": "abc"}"#),
            (#"[{"type": "enum", "name": "S", "symbols": ["x"]}, "bytes", "string"]"#, #"{"v": "abc"}"#),
            (#"["bytes", "string"]"#, #"{"v": "\u0100"}"#),  // not a byte: the string branch
            (#"["null", {"type": "array", "items": ["null", {"type": "map", "values": "int"}]}]"#, #"{"v": [{"a": 1}]}"#),
            (
                #"["null", {"type": "array", "items": {"type": "record", "name": "R", "fields": [{"name": "K", "type": "int"}]}}]"#,
                #"{"v": [{"\u212A": 1}]}"#  // KELVIN SIGN: the same `String` as "K"
            ),
            (#"["int", "long", "double", "string"]"#, #"{"v": 3000000000}"#),
            (#"["null", {"type": "array", "items": ["int", "string"]}]"#, #"{"v": ["x", 5]}"#),
        ]
        for (union, body) in cases {
            let schema = try AvroSchema(json: #"{"type": "record", "name": "E", "fields": [{"name": "v", "type": \#(union)}]}"#)
            Self.agree(body, schema: schema)
        }
        // A key that matches a field only by Unicode equivalence is left to the tree path, which accepts it.
        let kelvin = try AvroSchema(json: #"{"type": "record", "name": "T", "fields": [{"name": "K", "type": "int"}]}"#)
        #expect(!Self.agree(#"{"\u212A": 1}"#, schema: kelvin))
        #expect(Self.treeEncode(Array(#"{"\u212A": 1}"#.utf8), schema: kelvin, bindings: [], capture: nil) != nil)
    }

    @Test("invalid UTF-8 is refused exactly as the parser refuses it")
    func utf8() throws {
        let schema = try AvroSchema(json: #"{"type": "record", "name": "S", "fields": [{"name": "s", "type": "string"}]}"#)
        let sequences: [[UInt8]] = [
            [0xC3, 0xA9], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80],
            [0xF0, 0x9F, 0x8E, 0x89], [0xEF, 0xBF, 0xBF], [0xF8, 0x88, 0x80, 0x80, 0x80],
        ]
        for sequence in sequences {
            let text = Array(#"{"s": ""#.utf8) + sequence + Array(#""}"#.utf8)
            let parsed = (try? JSONValue.parse(text)) != nil
            #expect(Self.agree(text, schema: schema) == parsed, "\(sequence)")
        }
    }

    @Test("random values for every schema: transcoded bytes equal the tree encoder's; mutations never slip through")
    func randomized() throws {
        var taken = 0
        var total = 0
        for (index, entry) in try DifferentialTests.allSchemas().enumerated() {
            // Other roots are wrapped in a record: the transcoder takes event objects.
            let root = try AvroSchema(json: entry.json)
            let schema = if case .record = root.root { root } else {
                try AvroSchema(json: #"{"type": "record", "name": "Wrapper", "fields": [{"name": "v", "type": \#(entry.json)}]}"#)
            }
            guard case .record(let record) = schema.root else { continue }
            var generator = RandomValues(seed: 0x7A5C_0000 &+ UInt64(index))
            var rng = SeededRNG(seed: UInt64(index) &+ 99)
            let stringFields = record.fields.filter { if case .string = $0.type { true } else { false } }.map(\.name)
            for _ in 0..<150 {
                let (input, _) = generator.value(schema.root)
                let text = Self.shuffled(input, using: &rng).jsonBytes()
                let binding = Int.random(in: 0..<3, using: &rng) > 0 ? [] : stringFields.randomElement(using: &rng).map { [JSONAvroTranscoder.Binding(field: $0, value: "bound")] } ?? []
                let capture = record.fields.randomElement(using: &rng)?.name
                total += 1
                if Self.agree(text, schema: schema, bindings: binding, capture: capture) { taken += 1 }
                // Damaged copies: the fast path may decline, but never disagree.
                var damaged = text
                if !damaged.isEmpty {
                    let at = Int.random(in: 0..<damaged.count, using: &rng)
                    damaged[at] = Array(#"{}[]",:0-.e"\ntu"#.utf8).randomElement(using: &rng)!
                }
                Self.agree(damaged, schema: schema, bindings: binding, capture: capture)
            }
        }
        // Most generated values are plain JSON the fast path handles (the rest: bytes, fixed, wrapped unions).
        #expect(taken * 2 > total, "fast path took \(taken) of \(total)")
    }

    @Test("array element ranges: exactly the arrays the parser accepts, each element where it is")
    func arrayElementRanges() throws {
        let texts = [
            #"[]"#, #" [ 1 , "a" , {"k": [true, null]} , [] ] "#, #"[{"a": 1, "b": 2}]"#, #"[{"a": 1, "a": 2}]"#,
            #"[1,]"#, #"[1 2]"#, #"[1] x"#, #"{"events": []}"#, #"["\u0041", {"\u0061": 1, "a": 2}]"#,
            #"[{"é": 1, "é": 2}]"#, "[" + String(repeating: "[", count: 64) + String(repeating: "]", count: 65),
            "[" + String(repeating: "[", count: 62) + String(repeating: "]", count: 63),
        ]
        for text in texts {
            let bytes = Array(text.utf8)
            let ranges = bytes.withUnsafeBufferPointer { JSONValue.arrayElementRanges($0) }
            guard let ranges else { continue }
            guard case .array(let elements)? = try? JSONValue.parse(bytes) else {
                Issue.record("ranges for text the parser refuses: \(text)")
                continue
            }
            #expect(ranges.count == elements.count, "\(text)")
            for (range, element) in zip(ranges, elements) {
                #expect((try? JSONValue.parse(bytes[range], maxDepth: JSONValue.defaultMaxDepth - 1)) == element, "\(text)")
            }
        }
        let plain = Array(#"[{"a": 1}, {"b": "x"}]"#.utf8)
        #expect(plain.withUnsafeBufferPointer { JSONValue.arrayElementRanges($0) }?.count == 2)
    }

    /// The same value with every object's keys in a random order.
    private static func shuffled(_ value: JSONValue, using rng: inout SeededRNG) -> JSONValue {
        switch value {
        case .object(let object):
            let members = object.members.map { ($0.key, shuffled($0.value, using: &rng)) }.shuffled(using: &rng)
            return .object(JSONObject(members))
        case .array(let items):
            return .array(items.map { shuffled($0, using: &rng) })
        default:
            return value
        }
    }
}
