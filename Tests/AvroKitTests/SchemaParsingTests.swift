import AvroKit
import Testing

@Suite("Schema parsing")
struct SchemaParsingTests {
    @Test("every schema in avro/ parses and matches its topic")
    func repoSchemas() throws {
        let schemas = try Fixtures.repoSchemas()
        #expect(schemas.count == 26)
        for (topic, json) in schemas {
            let schema = try AvroSchema(json: json)
            guard case .record(let record) = schema.root else {
                Issue.record("\(topic) is not a record")
                continue
            }
            #expect(!record.fields.isEmpty, "\(topic)")
            #expect(record.name.namespace != nil, "\(topic)")
            // Canonical form is itself a valid schema with the same canonical form.
            #expect(try AvroSchema(json: schema.canonicalForm).canonicalForm == schema.canonicalForm)
        }
        let byTopic = Dictionary(uniqueKeysWithValues: schemas)
        let login = try AvroSchema(json: try #require(byTopic["public.identity.login.events"]))
        guard case .record(let r) = login.root else { return }
        #expect(r.name.fullName == "public.identity.LoginEvent")
        #expect(r.fields.map(\.name) == ["user_id", "email", "login_time", "device_id", "user_agent", "ip_address"])
        #expect(r.field(named: "device_id")?.defaultValue == .null)
        let message = try AvroSchema(json: try #require(byTopic["public.user.message.events"]))
        guard case .record(let m) = message.root else { return }
        #expect(m.name.fullName == "public.user.message.UserMessageEvent")
        #expect(m.field(named: "visibility")?.defaultValue == "broadcast")
        let unified = try AvroSchema(json: try #require(byTopic["internal.platform.unified.events"]))
        #expect(unified.root.typeName == "platform.events.PlatformEvent")
        let received = try AvroSchema(json: try #require(byTopic["internal.media.upload.received"]))
        guard case .record(let u) = received.root else { return }
        #expect(u.field(named: "retry_count")?.defaultValue == 0)
    }

    @Test("named references resolve through namespaces")
    func namespaces() throws {
        let schema = try AvroSchema(
            json: #"""
                {"type": "record", "name": "Outer", "namespace": "com.a", "fields": [
                  {"name": "x", "type": {"type": "fixed", "name": "F", "size": 2}},
                  {"name": "y", "type": "F"},
                  {"name": "z", "type": "com.a.F"},
                  {"name": "in", "type": {"type": "record", "name": "Inner", "namespace": "org.b", "fields": [
                      {"name": "g", "type": {"type": "enum", "name": "G", "symbols": ["A"]}},
                      {"name": "f", "type": "com.a.F"}
                  ]}},
                  {"name": "g", "type": "org.b.G"},
                  {"name": "dotted", "type": {"type": "enum", "name": "x.y.H", "namespace": "ignored", "symbols": ["B"]}},
                  {"name": "nullns", "type": {"type": "enum", "name": "N", "namespace": "", "symbols": ["C"]}},
                  {"name": "nullref", "type": "N"}
                ]}
                """#)
        #expect(schema.namedType("com.a.F") != nil)
        #expect(schema.namedType("org.b.Inner") != nil)
        #expect(schema.namedType("org.b.G") != nil)
        #expect(schema.namedType("x.y.H") != nil)
        #expect(schema.namedType("N") != nil)
        #expect(schema.namedTypes.count == 6)
    }

    @Test("recursive schemas resolve to the same node")
    func recursion() throws {
        let schema = try AvroSchema(
            json: #"{"type":"record","name":"Tree","fields":[{"name":"kids","type":{"type":"array","items":"Tree"}},{"name":"v","type":"int"}]}"#
        )
        guard case .record(let tree) = schema.root, case .array(.record(let child)) = tree.fields[0].type else {
            Issue.record("unexpected shape")
            return
        }
        #expect(tree === child)
        let value: JSONValue = ["v": 1, "kids": [["v": 2, "kids": []], ["v": 3, "kids": [["v": 4, "kids": []]]]]]
        let bytes = try AvroEncoder().encode(value, as: schema)
        #expect(try AvroDecoder().decode(bytes, as: schema) == value)
    }

    @Test("logical types are parsed; invalid or unknown ones fall back to the base type")
    func logicalTypes() throws {
        func logical(_ json: String) throws -> AvroLogicalType? { try AvroSchema(json: json).root.logicalType }
        #expect(try logical(#"{"type":"int","logicalType":"date"}"#) == .date)
        #expect(try logical(#"{"type":"int","logicalType":"time-millis"}"#) == .timeMillis)
        #expect(try logical(#"{"type":"long","logicalType":"time-micros"}"#) == .timeMicros)
        #expect(try logical(#"{"type":"long","logicalType":"timestamp-millis"}"#) == .timestampMillis)
        #expect(try logical(#"{"type":"long","logicalType":"timestamp-micros"}"#) == .timestampMicros)
        #expect(try logical(#"{"type":"long","logicalType":"local-timestamp-millis"}"#) == .localTimestampMillis)
        #expect(try logical(#"{"type":"long","logicalType":"local-timestamp-micros"}"#) == .localTimestampMicros)
        #expect(try logical(#"{"type":"string","logicalType":"uuid"}"#) == .uuid)
        #expect(try logical(#"{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}"#) == .decimal(precision: 4, scale: 2))
        #expect(try logical(#"{"type":"fixed","name":"D","size":12,"logicalType":"duration"}"#) == .duration)
        #expect(try logical(#"{"type":"fixed","name":"M","size":2,"logicalType":"decimal","precision":4}"#) == .decimal(precision: 4, scale: 0))
        // Invalid: ignored per specification.
        #expect(try logical(#"{"type":"fixed","name":"M","size":2,"logicalType":"decimal","precision":5}"#) == nil)
        #expect(try logical(#"{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}"#) == nil)
        #expect(try logical(#"{"type":"int","logicalType":"uuid"}"#) == nil)
        #expect(try logical(#"{"type":"long","logicalType":"date"}"#) == nil)
        #expect(try logical(#"{"type":"string","logicalType":"shiny-new-type"}"#) == nil)
    }

    @Test("invalid schemas fail with a precise path", arguments: [
        ("42", "$"),
        (#""nope""#, "$"),
        (#"{"type":"record","name":"R"}"#, "$.fields"),
        (#"{"type":"record","fields":[]}"#, "$"),
        (#"{"type":"record","name":"1R","fields":[]}"#, "$.name"),
        (#"{"type":"record","name":"R","namespace":"a..b","fields":[]}"#, "$.namespace"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}"#, "$.fields[1]"),
        (#"{"type":"record","name":"R","fields":[{"name":"a"}]}"#, "$.fields[0]"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}"#, "$.fields[0].type"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#, "$.fields[0].default"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":"x"}]}"#, "$.fields[0].default"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":3000000000}]}"#, "$.fields[0].default"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"sideways"}]}"#, "$.fields[0].order"),
        (#"{"type":"enum","name":"E","symbols":["A","A"]}"#, "$.symbols[1]"),
        (#"{"type":"enum","name":"E","symbols":["A-"]}"#, "$.symbols[0]"),
        (#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#, "$.default"),
        (#"{"type":"fixed","name":"F","size":-1}"#, "$.size"),
        (#"{"type":"fixed","name":"F","size":1.5}"#, "$.size"),
        (#"{"type":"array"}"#, "$"),
        (#"{"type":"map","values":"bogus"}"#, "$.values"),
        (#"["int","int"]"#, "$[1]"),
        (#"["null",["int"]]"#, "$[1]"),
        (#"[{"type":"int","logicalType":"date"},"int"]"#, "$[1]"),
        (#"{"type":"record","name":"int","fields":[]}"#, "$.name"),
        (#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"R","symbols":["X"]}}]}"#, "$.fields[0].type.name"),
        (#"{"type":{"type":"int"}}"#, "$.type"),
        (#"{"type":"record","name":"R","fields":[] "#, "$"),
    ])
    func invalid(json: String, path: String) {
        do {
            _ = try AvroSchema(json: json)
            Issue.record("accepted invalid schema \(json)")
        } catch {
            #expect(error.code == .invalidSchema)
            #expect(error.path == path, "\(json): \(error)")
        }
    }

    @Test("two records with different names may share a union; aliases are tolerated")
    func validEdgeCases() throws {
        _ = try AvroSchema(
            json: #"""
                [{"type":"record","name":"A","aliases":["OldA"],"fields":[]},
                 {"type":"record","name":"B","fields":[{"name":"x","type":"int","aliases":["y"]}]}]
                """#)
        _ = try AvroSchema(json: #"{"type":"error","name":"Oops","fields":[]}"#)
    }
}
