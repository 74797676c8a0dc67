/// Encodes JSON text straight to Avro binary by a record schema, without building ``JSONValue``s — the gateway's
/// hot path, where parsing a tree, allocating it and freeing it cost more than the encoding itself.
///
/// It is a fast path, not a second validator: for any input it either writes exactly the bytes that
/// `AvroEncoder(unknownFields: .reject)` writes for the parsed value (after the same bindings), or returns `nil` and
/// leaves `out` as it was. `nil` means "parse and encode it the usual way": that then succeeds or reports the precise
/// error. It returns `nil` for invalid JSON, values the schema refuses, and shapes it leaves to the tree encoder
/// (objects inside unions, keys that match a field only as Unicode-equivalent text).
public struct JSONAvroTranscoder: Sendable {
    /// A top-level field whose value the caller supplies (identity from a token). The body may leave it out, send
    /// `null` or send this same value; the bound value is what gets encoded.
    public struct Binding: Sendable {
        public var field: String
        /// `nil` encodes the field as absent from the body: its default applies (no default: not transcoded).
        public var value: String?

        public init(field: String, value: String?) {
            self.field = field
            self.value = value
        }
    }

    /// What a transcode learned on the way.
    public struct Transcoded: Sendable {
        /// The captured top-level field's string value (the bound value for a bound field), if it had one.
        public var captured: String?
    }

    public let schema: AvroSchema
    /// Nesting limit of the JSON text, as ``JSONValue/parse(_:maxDepth:)``'s.
    public let maxDepth: Int
    /// Container nesting limit of the encoding, as ``AvroEncoder/maxDepth``.
    public let encoderMaxDepth: Int

    public init(schema: AvroSchema, maxDepth: Int = JSONValue.defaultMaxDepth, encoderMaxDepth: Int = AvroEncoder().maxDepth) {
        self.schema = schema
        self.maxDepth = maxDepth
        self.encoderMaxDepth = encoderMaxDepth
    }

    /// Appends the encoding of the JSON object `json` to `out`, with `bindings` applied and `field` captured.
    /// Returns `nil` (and leaves `out` as it was) when the caller should parse and encode instead.
    public func transcode(
        _ json: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], bindings: [Binding] = [], capturing field: String? = nil
    ) -> Transcoded? {
        guard case .record(let record) = schema.root else { return nil }
        let mark = out.count
        var run = Transcoding(
            parser: JSONParser(json, maxDepth: maxDepth),
            core: EncoderCore(rejectUnknownFields: true, defaultsMode: false, maxDepth: encoderMaxDepth))
        do {
            run.parser.skipWhitespace()
            let captured = try run.record(
                record, &out, depth: 0, jsonDepth: 0, top: Transcoding.TopLevel(bindings: bindings, capture: field))
            run.parser.skipWhitespace()
            guard run.parser.pos == json.count else { throw Transcoding.Fallback.rejected }
            return Transcoded(captured: captured)
        } catch {
            out.removeSubrange(mark...)
            return nil
        }
    }
}

/// One transcode: the lexer, the scalar encoder it shares with ``AvroEncoder``, and a reused stack of field slots.
private struct Transcoding {
    /// Not transcoded; the caller takes the tree path.
    enum Fallback: Error {
        /// The tree path refuses this value too, so a union may go on to try its next branch.
        case rejected
        /// The tree path may accept it: the whole transcode steps aside (a union must not try a later branch).
        case declined
    }

    /// What applies to the top-level record only.
    struct TopLevel {
        var bindings: [JSONAvroTranscoder.Binding]
        var capture: String?

        func binding(for field: String) -> JSONAvroTranscoder.Binding? {
            bindings.first { $0.field == field }
        }
    }

    var parser: JSONParser
    let core: EncoderCore
    /// Per open record, three entries per field: start and end of its bytes in `out` (-1: not written yet), and
    /// whether the body named it (duplicate check).
    private var slots: [Int] = []

    init(parser: JSONParser, core: EncoderCore) {
        self.parser = parser
        self.core = core
    }

    // MARK: - Lexing

    /// The byte at the cursor; 0 at the end (never valid where a value or delimiter is expected).
    private var next: UInt8 { parser.pos < parser.input.count ? parser.input[parser.pos] : 0 }

    private mutating func lex<T>(_ body: (inout JSONParser) throws(JSONParseError) -> T) throws(Fallback) -> T {
        do { return try body(&parser) } catch { throw Fallback.rejected }
    }

    /// After a member or element: `true` at the closing `close`, `false` after a comma.
    private mutating func endsContainer(_ close: UInt8) throws(Fallback) -> Bool {
        try lex { p throws(JSONParseError) in try p.isContainerEnd(closing: close) }
    }

    /// Opens an object or array: checks both nesting limits, consumes `open`, and says whether it is empty.
    private mutating func open(_ open: UInt8, close: UInt8, depth: Int, jsonDepth: Int) throws(Fallback) -> Bool {
        guard next == open, jsonDepth <= parser.maxDepth else { throw Fallback.rejected }
        do { try core.checkDepth(depth) } catch { throw Fallback.rejected }
        parser.pos += 1
        return parser.isEmptyContainer(closing: close)
    }

    /// The content bytes of the string at the cursor, valid until the next scan.
    private mutating func withString<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) throws(Fallback) -> R {
        guard next == UInt8(ascii: "\"") else { throw Fallback.rejected }
        switch try lex({ p throws(JSONParseError) in try p.scanString() }) {
        case .raw(let range): return body(UnsafeBufferPointer(rebasing: parser.input[range]))
        case .unescaped: return parser.scratch.withUnsafeBufferPointer(body)
        }
    }

    // MARK: - Values

    mutating func value(_ type: AvroType, _ out: inout [UInt8], depth: Int, jsonDepth: Int) throws(Fallback) {
        switch type {
        case .record(let record):
            _ = try self.record(record, &out, depth: depth, jsonDepth: jsonDepth, top: nil)
        case .string(let logical):
            let valid = try withString { bytes in
                guard logical != .uuid || UUIDSyntax.isValid(utf8: bytes) else { return false }
                AvroBinary.writeLong(Int64(bytes.count), to: &out)
                out.append(contentsOf: bytes)
                return true
            }
            guard valid else { throw Fallback.rejected }
        case .union(let union):
            try self.union(union, &out, depth: depth, jsonDepth: jsonDepth)
        case .array(let items):
            try array(items, &out, depth: depth, jsonDepth: jsonDepth)
        case .map(let values):
            try map(values, &out, depth: depth, jsonDepth: jsonDepth)
        case .null, .boolean, .int, .long, .float, .double, .enumeration, .bytes, .fixed:
            // Scalars are small JSON values: parse and encode them by the tree path's own rules (a container here is a
            // type mismatch, which the tree encoder refuses too).
            let scalar = try lex { p throws(JSONParseError) in try p.parseValue(depth: jsonDepth) }
            do { try core.encode(scalar, type, &out, depth: depth) } catch { throw Fallback.rejected }
        }
    }

    /// Writes the record's fields in schema order whatever order the body names them in: fields are written as they
    /// come, and only a body out of schema order pays for rearranging them at the end.
    mutating func record(
        _ record: AvroRecord, _ out: inout [UInt8], depth: Int, jsonDepth: Int, top: TopLevel?
    ) throws(Fallback) -> String? {
        let empty = try open(UInt8(ascii: "{"), close: UInt8(ascii: "}"), depth: depth, jsonDepth: jsonDepth + 1)
        let fields = record.fields
        let base = slots.count
        slots.append(contentsOf: repeatElement(-1, count: fields.count * 3))
        defer { slots.removeSubrange(base...) }
        let start = out.count
        var captured: String?
        // Fields before `inOrder` are in `out` in schema order; a field named past a gap that cannot be filled yet
        // (it may still come) turns the record to rearranging.
        var inOrder = 0
        var rearrange = false
        var closed = empty
        while !closed {
            let (index, asciiKey) = try withString { key in
                (Self.fieldIndex(fields, key, hint: inOrder), key.allSatisfy { $0 < 0x80 })
            }
            guard let index else {
                // Not a field: the tree encoder refuses it — unless it is non-ASCII text that Swift's `String`
                // equality (canonical equivalence) could still match to a field name.
                throw asciiKey ? Fallback.rejected : Fallback.declined
            }
            guard slots[base + 3 * index + 2] == -1 else { throw Fallback.rejected }  // duplicate key
            slots[base + 3 * index + 2] = 1
            try lex { p throws(JSONParseError) in try p.expectColon() }
            if let bound = top?.binding(for: fields[index].name) {
                try checkBoundValue(bound.value)
            } else {
                if !rearrange, index > inOrder {
                    rearrange = !(inOrder..<index).allSatisfy { top?.binding(for: fields[$0].name) != nil }
                    if !rearrange {
                        for gap in inOrder..<index {
                            try writeBound(gap, fields, top, &out, base: base, depth: depth, captured: &captured)
                        }
                    }
                }
                let valueStart = parser.pos
                slots[base + 3 * index] = out.count
                try value(fields[index].type, &out, depth: depth + 1, jsonDepth: jsonDepth + 1)
                slots[base + 3 * index + 1] = out.count
                if !rearrange { inOrder = index + 1 }
                if fields[index].name == top?.capture, parser.input[valueStart] == UInt8(ascii: "\"") {
                    var copy = parser
                    copy.pos = valueStart
                    captured = try? copy.parseString()
                }
            }
            closed = try endsContainer(UInt8(ascii: "}"))
        }
        if rearrange {
            let region = Array(out[start...])
            out.removeSubrange(start...)
            for index in fields.indices {
                let written = slots[base + 3 * index]
                if written >= 0 {
                    out.append(contentsOf: region[(written - start)..<(slots[base + 3 * index + 1] - start)])
                } else {
                    try writeBound(index, fields, top, &out, base: base, depth: depth, captured: &captured)
                }
            }
        } else {
            for index in inOrder..<fields.count {
                try writeBound(index, fields, top, &out, base: base, depth: depth, captured: &captured)
            }
        }
        return captured
    }

    /// Writes a field the body did not supply: its bound value, else its default.
    private mutating func writeBound(
        _ index: Int, _ fields: [AvroField], _ top: TopLevel?, _ out: inout [UInt8], base: Int, depth: Int,
        captured: inout String?
    ) throws(Fallback) {
        let field = fields[index]
        slots[base + 3 * index] = out.count
        if let bound = top?.binding(for: field.name), let value = bound.value {
            do { try core.encode(.string(value), field.type, &out, depth: depth + 1) } catch { throw Fallback.rejected }
            if field.name == top?.capture { captured = value }
        } else if let encoded = field.encodedDefault {
            out.append(contentsOf: encoded)
        } else {
            throw Fallback.rejected  // missing, and no default
        }
        slots[base + 3 * index + 1] = out.count
    }

    /// A bound field may be sent as `null` or as the bound value itself.
    private mutating func checkBoundValue(_ bound: String?) throws(Fallback) {
        if next == UInt8(ascii: "n") {
            _ = try lex { p throws(JSONParseError) in try p.expectLiteral("null", value: .null) }
            return
        }
        // Other text may still equal it as a `String` (canonical equivalence): the tree path decides.
        guard let bound, try withString({ $0.elementsEqual(bound.utf8) }) else { throw Fallback.declined }
    }

    private static func fieldIndex(_ fields: [AvroField], _ key: UnsafeBufferPointer<UInt8>, hint: Int) -> Int? {
        if hint < fields.count, fields[hint].name.utf8.elementsEqual(key) { return hint }
        return fields.indices.first { fields[$0].name.utf8.count == key.count && fields[$0].name.utf8.elementsEqual(key) }
    }

    private mutating func union(_ union: AvroUnion, _ out: inout [UInt8], depth: Int, jsonDepth: Int) throws(Fallback) {
        do { try core.checkDepth(depth) } catch { throw Fallback.rejected }
        let kind: JSONKind
        switch next {
        case UInt8(ascii: "n"): kind = .null
        case UInt8(ascii: "t"), UInt8(ascii: "f"): kind = .bool
        case UInt8(ascii: "\""): kind = .string
        case UInt8(ascii: "["): kind = .array
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): kind = .number
        default: throw Fallback.declined  // objects: the wrapped form `{"branch": value}` is the tree encoder's
        }
        if kind == .null, let nullIndex = union.nullIndex {
            _ = try lex { p throws(JSONParseError) in try p.expectLiteral("null", value: .null) }
            AvroBinary.writeLong(Int64(nullIndex), to: &out)
            return
        }
        // The first branch that takes the value wins, as in the tree encoder.
        let mark = (out: out.count, input: parser.pos)
        for (index, branch) in union.branches.enumerated() where EncoderCore.mayFit(kind, branch) {
            AvroBinary.writeLong(Int64(index), to: &out)
            do {
                try value(branch, &out, depth: depth + 1, jsonDepth: jsonDepth)
                return
            } catch .rejected {
                out.removeSubrange(mark.out...)
                parser.pos = mark.input
            }
        }
        throw Fallback.rejected
    }

    private mutating func array(_ items: AvroType, _ out: inout [UInt8], depth: Int, jsonDepth: Int) throws(Fallback) {
        var closed = try open(UInt8(ascii: "["), close: UInt8(ascii: "]"), depth: depth, jsonDepth: jsonDepth + 1)
        let countAt = out.count
        var count: Int64 = 0
        while !closed {
            try value(items, &out, depth: depth + 1, jsonDepth: jsonDepth + 1)
            count += 1
            closed = try endsContainer(UInt8(ascii: "]"))
        }
        try finishBlock(count: count, at: countAt, &out)
    }

    private mutating func map(_ values: AvroType, _ out: inout [UInt8], depth: Int, jsonDepth: Int) throws(Fallback) {
        var closed = try open(UInt8(ascii: "{"), close: UInt8(ascii: "}"), depth: depth, jsonDepth: jsonDepth + 1)
        let countAt = out.count
        var keys: [String] = []
        var duplicates = DuplicateKeyDetector()
        while !closed {
            guard next == UInt8(ascii: "\"") else { throw Fallback.rejected }
            let key = try lex { p throws(JSONParseError) in try p.parseString() }
            guard duplicates.isNew(key, existing: keys) else { throw Fallback.rejected }
            keys.append(key)
            AvroBinary.writeString(key, to: &out)
            try lex { p throws(JSONParseError) in try p.expectColon() }
            try value(values, &out, depth: depth + 1, jsonDepth: jsonDepth + 1)
            closed = try endsContainer(UInt8(ascii: "}"))
        }
        try finishBlock(count: Int64(keys.count), at: countAt, &out)
    }

    /// Arrays and maps are one block: its count (known only now) goes before the items, then the end marker.
    private func finishBlock(count: Int64, at position: Int, _ out: inout [UInt8]) throws(Fallback) {
        if count > 0 {
            var prefix: [UInt8] = []
            AvroBinary.writeLong(count, to: &prefix)
            out.insert(contentsOf: prefix, at: position)
        }
        out.append(0)
    }
}
