import AvroCBridge
import AvroKit
import Testing

/// Cross-checks AvroKit against avro-c (the Apache Avro C library) on random values:
/// ours → avro-c decode, avro-c encode → ours, and byte-for-byte equality of both encoders.
@Suite("Differential: AvroKit vs avro-c")
struct DifferentialTests {
    static let valuesPerSchema = 200

    static let syntheticSchemas: [(name: String, json: String)] = [
        (
            "kitchen-sink",
            #"""
            {"type": "record", "name": "Sink", "namespace": "com.example.test", "fields": [
              {"name": "flag", "type": "boolean"},
              {"name": "i", "type": "int"},
              {"name": "l", "type": "long"},
              {"name": "f", "type": "float"},
              {"name": "d", "type": "double"},
              {"name": "s", "type": "string"},
              {"name": "b", "type": "bytes"},
              {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"], "default": "RED"}},
              {"name": "hash", "type": {"type": "fixed", "name": "Hash4", "size": 4}},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "counts", "type": {"type": "map", "values": "long"}},
              {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
                  {"name": "x", "type": "int"},
                  {"name": "label", "type": ["null", "string"], "default": null},
                  {"name": "shade", "type": "Color", "default": "BLUE"}
              ]}},
              {"name": "inners", "type": {"type": "array", "items": "Inner"}},
              {"name": "byName", "type": {"type": "map", "values": "Inner"}},
              {"name": "multi", "type": ["null", "int", "string", "Inner", "Hash4", {"type": "array", "items": "double"}]},
              {"name": "numeric", "type": ["int", "long", "float", "double"]},
              {"name": "optColor", "type": ["null", "Color"], "default": null},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "atMicros", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "tod", "type": {"type": "int", "logicalType": "time-millis"}},
              {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
              {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "retries", "type": "int", "default": 7},
              {"name": "ratio", "type": "double", "default": 0.5},
              {"name": "note", "type": "string", "default": "n/a"},
              {"name": "raw", "type": "bytes", "default": "\u00ff\u0001a"},
              {"name": "fx", "type": "Hash4", "default": "abcd"},
              {"name": "list", "type": {"type": "array", "items": "int"}, "default": [1, 2]},
              {"name": "dict", "type": {"type": "map", "values": "string"}, "default": {"k": "v"}},
              {"name": "innerDefault", "type": "Inner", "default": {"x": 3}},
              {"name": "unionDefault", "type": ["string", "null"], "default": "first"}
            ]}
            """#
        ),
        (
            "linked-list",
            #"""
            {"type": "record", "name": "Node", "fields": [
              {"name": "value", "type": "long"},
              {"name": "next", "type": ["null", "Node"], "default": null}
            ]}
            """#
        ),
        (
            "top-level-union",
            #"""
            ["null", "boolean", "int", "double", "string", "bytes",
             {"type": "array", "items": "string"}, {"type": "map", "values": "long"},
             {"type": "record", "name": "P", "fields": [{"name": "a", "type": "int"}]},
             {"type": "enum", "name": "E", "symbols": ["X", "Y"]}]
            """#
        ),
        ("array-of-maps", #"{"type": "array", "items": {"type": "map", "values": ["null", "float", "string"]}}"#),
        ("fixed-16", #"{"type": "fixed", "name": "md5", "namespace": "org.x", "size": 16}"#),
    ]

    static func allSchemas() throws -> [(name: String, json: String)] {
        try Fixtures.repoSchemas().map { ($0.topic, $0.json) } + syntheticSchemas
    }

    @Test("random values agree with avro-c in both directions and byte for byte")
    func differential() throws {
        let schemas = try Self.allSchemas()
        #expect(schemas.count == 26 + Self.syntheticSchemas.count)
        let encoder = AvroEncoder()
        let decoder = AvroDecoder()
        for (index, entry) in schemas.enumerated() {
            let schema = try AvroSchema(json: entry.json)
            let codec = try AvroCCodec(schemaJSON: entry.json)
            var generator = RandomValues(seed: 0xA5A5_0000 &+ UInt64(index))
            for n in 0..<Self.valuesPerSchema {
                let (input, expected) = generator.value(schema.root)
                let context = "\(entry.name) #\(n): \(input)"

                let ours = try encoder.encode(input, as: schema)
                let theirs = try codec.encode(input)
                #expect(ours == theirs, "encoders differ for \(context)")

                let cJSON = try codec.decode(ours)
                let difference = AvroCJSON.difference(try JSONValue.parse(cJSON), expected, schema.root)
                #expect(difference == nil, "avro-c decoded \(cJSON) for \(context)")

                let decoded = try decoder.decode(theirs, as: schema)
                #expect(decoded == expected, "AvroKit: \(firstDifference(decoded, expected) ?? "") for \(context)")
            }
        }
    }
}

/// Compares avro-c's `avro_value_to_json` output (Avro's JSON encoding) with the expected plain
/// JSON value, walking the schema: non-null union values are wrapped as `{"branch": value}`
/// (full or short name), floats print at double precision, and bytes/fixed go through a
/// NUL-terminated C string, so avro-c's text stops at the first 0x00 byte.
enum AvroCJSON {
    static func difference(_ c: JSONValue, _ expected: JSONValue, _ type: AvroType, path: String = "$") -> String? {
        func mismatch() -> String { "\(path): avro-c \(c) vs expected \(expected)" }
        switch (type, c, expected) {
        case (.union, .null, .null):
            return nil
        case (.union(let union), .object(let o), _) where o.count == 1:
            let key = o.keys[0]
            let branch = union.branches.first {
                $0.typeName == key || $0.typeName.split(separator: ".").last.map(String.init) == key
            }
            guard let branch else { return mismatch() }
            return difference(o.values[0], expected, branch, path: path)
        case (.float, _, .double(let e)), (.double, _, .double(let e)):
            let actual: Double? = switch c {
            case .int(let i): Double(i)
            case .double(let d): d
            default: nil
            }
            guard let actual else { return mismatch() }
            if case .float = type { return Float(actual) == Float(e) ? nil : mismatch() }
            return actual == e ? nil : mismatch()
        case (.bytes, .string(let cs), .string(let e)), (.fixed, .string(let cs), .string(let e)):
            let truncated = String(String.UnicodeScalarView(e.unicodeScalars.prefix { $0.value != 0 }))
            return cs == truncated ? nil : mismatch()
        case (.array(let items), .array(let ca), .array(let ea)):
            guard ca.count == ea.count else { return mismatch() }
            for i in ca.indices {
                if let d = difference(ca[i], ea[i], items, path: "\(path)[\(i)]") { return d }
            }
            return nil
        case (.map(let values), .object(let co), .object(let eo)):
            guard Set(co.keys) == Set(eo.keys) else { return mismatch() }
            for (key, value) in co.members {
                if let d = difference(value, eo[key] ?? .null, values, path: "\(path)[\(key)]") { return d }
            }
            return nil
        case (.record(let r), .object(let co), .object(let eo)):
            guard co.keys == r.fields.map(\.name), Set(eo.keys) == Set(co.keys) else { return mismatch() }
            for field in r.fields {
                if let d = difference(co[field.name] ?? .null, eo[field.name] ?? .null, field.type, path: "\(path).\(field.name)") {
                    return d
                }
            }
            return nil
        default:
            return c == expected ? nil : mismatch()
        }
    }
}
