import AvroKit
import Testing

/// Vectors from Apache Avro's share/test/data/schema-tests.txt (as used by the Java and Python
/// SchemaNormalization tests): input, Parsing Canonical Form, CRC-64-AVRO as Java's signed long.
@Suite("Parsing Canonical Form and fingerprints")
struct CanonicalFormTests {
    static let vectors: [(input: String, canonical: String, fingerprint: Int64)] = [
        (#""null""#, #""null""#, 7_195_948_357_588_979_594),
        (#"{"type":"null"}"#, #""null""#, 7_195_948_357_588_979_594),
        (#""boolean""#, #""boolean""#, -6_970_731_678_124_411_036),
        (#"{"type":"boolean"}"#, #""boolean""#, -6_970_731_678_124_411_036),
        (#""int""#, #""int""#, 8_247_732_601_305_521_295),
        (#"{"type":"int"}"#, #""int""#, 8_247_732_601_305_521_295),
        (#""long""#, #""long""#, -3_434_872_931_120_570_953),
        (#"{"type":"long"}"#, #""long""#, -3_434_872_931_120_570_953),
        (#""float""#, #""float""#, 5_583_340_709_985_441_680),
        (#"{"type":"float"}"#, #""float""#, 5_583_340_709_985_441_680),
        (#""double""#, #""double""#, -8_181_574_048_448_539_266),
        (#"{"type":"double"}"#, #""double""#, -8_181_574_048_448_539_266),
        (#""bytes""#, #""bytes""#, 5_746_618_253_357_095_269),
        (#"{"type":"bytes"}"#, #""bytes""#, 5_746_618_253_357_095_269),
        (#""string""#, #""string""#, -8_142_146_995_180_207_161),
        (#"{"type":"string"}"#, #""string""#, -8_142_146_995_180_207_161),
        ("[  ]", "[]", -1_241_056_759_729_112_623),
        (#"[ "int"  ]"#, #"["int"]"#, -5_232_228_896_498_058_493),
        (#"[ "int" , {"type":"boolean"} ]"#, #"["int","boolean"]"#, 5_392_556_393_470_105_090),
        (#"{"fields":[], "type":"record", "name":"foo"}"#, #"{"name":"foo","type":"record","fields":[]}"#, -4_824_392_279_771_201_922),
        (#"{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}"#, #"{"name":"x.y.foo","type":"record","fields":[]}"#, 5_916_914_534_497_305_771),
        (#"{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}"#, #"{"name":"a.b.foo","type":"record","fields":[]}"#, -4_616_218_487_480_524_110),
        (#"{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}"#, #"{"name":"foo","type":"record","fields":[]}"#, -4_824_392_279_771_201_922),
        (#"{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}"#, #"{"name":"foo","type":"record","fields":[]}"#, -4_824_392_279_771_201_922),
        (#"{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}"#, #"{"name":"foo","type":"record","fields":[]}"#, -4_824_392_279_771_201_922),
        (#"{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}"#, #"{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}"#, 7_843_277_075_252_814_651),
        (
            #"{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":true}, {"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo"}"#,
            #"{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}"#,
            -4_860_222_112_080_293_046
        ),
        (#"{"type":"enum", "name":"foo", "symbols":["A1"]}"#, #"{"name":"foo","type":"enum","symbols":["A1"]}"#, -6_342_190_197_741_309_591),
        (#"{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}"#, #"{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}"#, -4_448_647_247_586_288_245),
        (#"{"name":"foo","type":"fixed","size":15}"#, #"{"name":"foo","type":"fixed","size":15}"#, 1_756_455_273_707_447_556),
        (#"{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}"#, #"{"name":"x.y.z.foo","type":"fixed","size":32}"#, -3_064_184_465_700_546_786),
        (#"{ "items":{"type":"null"}, "type":"array"}"#, #"{"type":"array","items":"null"}"#, -589_620_603_366_471_059),
        (#"{ "values":"string", "type":"map"}"#, #"{"type":"map","values":"string"}"#, -8_732_877_298_790_414_990),
        (
            #"{"name":"PigValue","type":"record", "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}"#,
            #"{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}"#,
            -1_759_257_747_318_642_341
        ),
    ]

    @Test("Apache Avro schema-tests.txt vectors", arguments: vectors)
    func vector(input: String, canonical: String, fingerprint: Int64) throws {
        let schema = try AvroSchema(json: input)
        #expect(schema.canonicalForm == canonical)
        #expect(schema.fingerprint == UInt64(bitPattern: fingerprint))
    }

    @Test("logical types, nested namespaces and repeated names in canonical form")
    func stripping() throws {
        let schema = try AvroSchema(
            json: #"""
                {"type": "record", "name": "R", "namespace": "a.b", "fields": [
                  {"name": "d", "type": {"type": "int", "logicalType": "date"}},
                  {"name": "e", "type": {"type": "enum", "name": "E", "namespace": "c", "symbols": ["X"]}},
                  {"name": "e2", "type": "c.E"},
                  {"name": "self", "type": ["null", "R"]}
                ]}
                """#)
        #expect(
            schema.canonicalForm
                == #"{"name":"a.b.R","type":"record","fields":[{"name":"d","type":"int"},{"name":"e","type":{"name":"c.E","type":"enum","symbols":["X"]}},{"name":"e2","type":"c.E"},{"name":"self","type":["null","a.b.R"]}]}"#
        )
        #expect(AvroFingerprint.crc64Avro([UInt8]()) == AvroFingerprint.empty)
    }
}
