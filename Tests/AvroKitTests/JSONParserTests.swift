import AvroKit
import Testing

@Suite("JSON parser and serializer")
struct JSONParserTests {
    @Test("valid documents", arguments: [
        ("null", JSONValue.null),
        (" true ", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("-9223372036854775808", .int(.min)),
        ("9223372036854775807", .int(.max)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("1.5", .double(1.5)),
        ("-2.5e3", .double(-2500)),
        ("1E-2", .double(0.01)),
        ("\"\"", .string("")),
        (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{08}\u{0C}\n\r\t")),
        (#""\u00e9\u65E5\ud83c\udf89""#, .string("é日🎉")),
        ("\"é日🎉\"", .string("é日🎉")),
        ("[]", .array([])),
        ("[1, \"x\", null]", .array([.int(1), .string("x"), .null])),
        ("{}", .object(JSONObject())),
        (#"{"b": 1, "a": [true]}"#, .object(["b": 1, "a": [true]])),
    ])
    func valid(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test("invalid documents report the byte offset", arguments: [
        ("", 0), ("   ", 3), ("nul", 0), ("tru e", 3), ("01", 1), ("1.", 2), ("1e", 2), ("-", 1), ("+1", 0),
        (".5", 0), ("[1,]", 3), ("[1 2]", 3), ("{\"a\" 1}", 5), ("{\"a\":1,}", 7), ("{a:1}", 1),
        ("\"abc", 0), ("\"a\u{01}\"", 2), (#""\x""#, 1), (#""\u12G4""#, 5), (#""\ud800""#, 1),
        (#""\udc00""#, 1), (#""\ud800\u0041""#, 1), ("1 2", 2), ("{} x", 3), ("1e400", 0),
        (#"{"a":1,"a":2}"#, 7), ("[", 1), ("]", 0), (#"["ok", "a\u0000"]"#, 9),
    ])
    func invalid(text: String, offset: Int) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
        }
    }

    @Test("invalid UTF-8 is rejected")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }

    @Test("nesting depth is limited")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONValue.parse(ok)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(hostile) }
    }

    @Test("many keys: duplicate detection stays correct past the linear threshold")
    func manyKeys() throws {
        let members = (0..<100).map { "\"k\($0)\":\($0)" }
        let object = try JSONValue.parse("{" + members.joined(separator: ",") + "}")
        #expect(object.objectValue?.count == 100)
        #expect(object["k99"] == .int(99))
        #expect(throws: JSONParseError.self) {
            try JSONValue.parse("{" + (members + ["\"k3\":0"]).joined(separator: ",") + "}")
        }
    }

    @Test("serializer output is compact, escaped and round-trips")
    func serializer() throws {
        let value: JSONValue = [
            "s": "q\"b\\n\n\u{01}é🎉", "i": -5, "d": 0.1, "whole": 2.0, "b": false, "n": nil, "a": [1, [2]], "o": [:],
        ]
        let text = value.jsonString()
        #expect(text == #"{"s":"q\"b\\n\n\u0001é🎉","i":-5,"d":0.1,"whole":2.0,"b":false,"n":null,"a":[1,[2]],"o":{}}"#)
        #expect(try JSONValue.parse(text) == value)
        #expect(JSONValue.double(.nan).jsonString() == "null")
        #expect(JSONValue.double(1e300).jsonString() == "1e+300")
    }

    @Test("object equality ignores key order; setter replaces and removes")
    func objectSemantics() {
        var a: JSONObject = ["x": 1, "y": 2]
        let b: JSONObject = ["y": 2, "x": 1]
        #expect(a == b)
        a["x"] = 3
        #expect(a.keys == ["x", "y"] && a["x"] == 3)
        a["x"] = nil
        #expect(a.keys == ["y"])
        #expect(JSONValue.int(1) != JSONValue.double(1))
    }

    @Test("every byte value at every offset of a word: strings scanned eight bytes at a time stay exact")
    func wordAtATimeScan() {
        for byte in UInt8.min...UInt8.max {
            for offset in 0..<17 {
                let text = [UInt8(ascii: "\"")] + Array(repeating: UInt8(ascii: "a"), count: offset) + [byte]
                    + Array(repeating: UInt8(ascii: "z"), count: 20) + [UInt8(ascii: "\"")]
                let parsed = try? JSONValue.parse(text)
                let plain = byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
                if plain {
                    #expect(parsed == .string(String(decoding: text.dropFirst().dropLast(), as: UTF8.self)), "byte \(byte) at \(offset)")
                } else {
                    #expect(parsed == nil, "byte \(byte) at \(offset)")
                }
            }
        }
    }
}
