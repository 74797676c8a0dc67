/// Encodes plain JSON values as Avro binary against a schema.
///
/// Input is ordinary JSON, not Avro's JSON encoding:
/// * a union takes the bare value (`null` or `"x"` for `["null","string"]`); with several
///   non-null branches the first branch the value fits is used (trying them in schema order).
///   The Avro-JSON wrapped form `{"string": "x"}` / `{"com.x.Rec": {...}}` is also accepted: an
///   object with exactly one key that names a branch is taken as wrapped (this takes precedence);
/// * records: fields by name; a missing field gets its default, or fails with `missingField`;
///   keys that are not fields fail with `unknownField` unless ``UnknownFieldPolicy/ignore``;
/// * `int`/`long` accept integers and integral doubles (`1.0`), reject `1.5` (`typeMismatch`)
///   and out-of-range values (`outOfRange`); `float`/`double` accept any number; a finite
///   value that overflows `float` is `outOfRange`;
/// * `bytes`/`fixed` take strings whose code points are 0–255 (one byte each), `fixed` must
///   have exactly `size` bytes; `enum` takes a symbol; `uuid` strings must be canonical UUIDs
///   (8-4-4-4-12 hex); `date`/`time-*`/`timestamp-*` take integers (the underlying type).
public struct AvroEncoder: Sendable {
    /// What to do with record keys that are not fields of the record.
    public enum UnknownFieldPolicy: Sendable {
        /// Fail with ``AvroError/Code/unknownField`` (default: catches producer typos).
        case reject
        /// Ignore them (the behaviour of the Go services).
        case ignore
    }

    /// Policy for record keys that are not fields.
    public var unknownFields: UnknownFieldPolicy
    /// Maximum container nesting (records, arrays, maps, unions) before ``AvroError/Code/limitExceeded``.
    public var maxDepth: Int

    public init(unknownFields: UnknownFieldPolicy = .reject, maxDepth: Int = 128) {
        self.unknownFields = unknownFields
        self.maxDepth = maxDepth
    }

    /// Encodes `value` as a datum of `schema`.
    public func encode(_ value: JSONValue, as schema: AvroSchema) throws(AvroError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try encode(value, as: schema.root, into: &out)
        return out
    }

    /// Appends the encoding of `value` to `out` (e.g. after a Confluent header). On error `out`
    /// is left as it was.
    public func encode(_ value: JSONValue, as schema: AvroSchema, into out: inout [UInt8]) throws(AvroError) {
        try encode(value, as: schema.root, into: &out)
    }

    /// Appends the encoding of `value` as a datum of `type` to `out`. On error `out` is left as it was.
    public func encode(_ value: JSONValue, as type: AvroType, into out: inout [UInt8]) throws(AvroError) {
        let mark = out.count
        let core = EncoderCore(rejectUnknownFields: unknownFields == .reject, defaultsMode: false, maxDepth: maxDepth)
        do {
            try core.encode(value, type, &out, depth: 0)
        } catch {
            out.removeSubrange(mark...)
            throw error
        }
    }
}

/// The recursive encoder. `defaultsMode` implements the rules for schema `default` values:
/// unions take their first branch only, the wrapped union form is not recognised, and extra
/// keys in record defaults are ignored.
struct EncoderCore {
    let rejectUnknownFields: Bool
    let defaultsMode: Bool
    let maxDepth: Int

    static let forDefaults = EncoderCore(rejectUnknownFields: false, defaultsMode: true, maxDepth: 64)

    func encode(_ value: JSONValue, _ type: AvroType, _ out: inout [UInt8], depth: Int) throws(AvroError) {
        switch type {
        case .null:
            guard case .null = value else { throw mismatch("null", value) }
        case .boolean:
            guard case .bool(let b) = value else { throw mismatch("boolean", value) }
            out.append(b ? 1 : 0)
        case .int:
            let i = try integer(value, typeName: "int")
            guard let i32 = Int32(exactly: i) else {
                throw AvroError(.outOfRange, "\(i) does not fit an Avro int (32-bit)")
            }
            AvroBinary.writeLong(Int64(i32), to: &out)
        case .long:
            AvroBinary.writeLong(try integer(value, typeName: "long"), to: &out)
        case .float:
            let d = try number(value, typeName: "float")
            let f = Float(d)
            if f.isInfinite && d.isFinite { throw AvroError(.outOfRange, "\(d) overflows an Avro float") }
            AvroBinary.writeFloat(f, to: &out)
        case .double:
            AvroBinary.writeDouble(try number(value, typeName: "double"), to: &out)
        case .bytes:
            guard case .string(let s) = value else { throw mismatch("bytes (string of code points 0-255)", value) }
            let bytes = try latin1(s)
            AvroBinary.writeLong(Int64(bytes.count), to: &out)
            out.append(contentsOf: bytes)
        case .string(let logical):
            guard case .string(let s) = value else { throw mismatch("string", value) }
            if logical == .uuid, !UUIDSyntax.isValid(s) {
                throw AvroError(.typeMismatch, "\"\(s)\" is not a valid UUID (expected 8-4-4-4-12 hex digits)")
            }
            AvroBinary.writeString(s, to: &out)
        case .record(let record):
            try encodeRecord(value, record, &out, depth: depth)
        case .enumeration(let e):
            guard case .string(let s) = value else { throw mismatch("enum \(e.name) symbol", value) }
            guard let index = e.symbolIndex[s] else {
                throw AvroError(.unknownSymbol, "\"\(s)\" is not a symbol of enum \(e.name) \(e.symbols)")
            }
            AvroBinary.writeLong(Int64(index), to: &out)
        case .array(let items):
            guard case .array(let elements) = value else { throw mismatch("array", value) }
            try checkDepth(depth)
            if !elements.isEmpty {
                AvroBinary.writeLong(Int64(elements.count), to: &out)
                for (i, element) in elements.enumerated() {
                    do { try encode(element, items, &out, depth: depth + 1) } catch { throw error.within(.index(i)) }
                }
            }
            out.append(0)
        case .map(let valueType):
            guard case .object(let object) = value else { throw mismatch("map (object)", value) }
            try checkDepth(depth)
            if !object.isEmpty {
                AvroBinary.writeLong(Int64(object.count), to: &out)
                for i in object.keys.indices {
                    AvroBinary.writeString(object.keys[i], to: &out)
                    do {
                        try encode(object.values[i], valueType, &out, depth: depth + 1)
                    } catch {
                        throw error.within(.key(object.keys[i]))
                    }
                }
            }
            out.append(0)
        case .union(let union):
            try encodeUnion(value, union, &out, depth: depth)
        case .fixed(let fixed):
            guard case .string(let s) = value else { throw mismatch("fixed \(fixed.name) (string)", value) }
            let bytes = try latin1(s)
            guard bytes.count == fixed.size else {
                throw AvroError(.outOfRange, "fixed \(fixed.name) needs \(fixed.size) bytes, got \(bytes.count)")
            }
            out.append(contentsOf: bytes)
        }
    }

    private func encodeRecord(_ value: JSONValue, _ record: AvroRecord, _ out: inout [UInt8], depth: Int) throws(AvroError) {
        guard case .object(let object) = value else { throw mismatch("record \(record.name) (object)", value) }
        try checkDepth(depth)
        var matched = 0
        for field in record.fields {
            if let i = object.index(forKey: field.name) {
                matched += 1
                do {
                    try encode(object.values[i], field.type, &out, depth: depth + 1)
                } catch {
                    throw error.within(.field(field.name))
                }
            } else if let encoded = field.encodedDefault {
                out.append(contentsOf: encoded)
            } else if let defaultValue = field.defaultValue {
                // Only while defaults themselves are being precomputed (recursive records).
                do {
                    try EncoderCore.forDefaults.encode(defaultValue, field.type, &out, depth: depth + 1)
                } catch {
                    throw error.within(.field(field.name))
                }
            } else {
                throw AvroError(
                    .missingField, "required field \"\(field.name)\" of record \(record.name) is missing",
                    path: [.field(field.name)])
            }
        }
        if matched != object.count, rejectUnknownFields {
            for key in object.keys where record.fieldIndex[key] == nil {
                throw AvroError(.unknownField, "record \(record.name) has no field \"\(key)\"", path: [.field(key)])
            }
        }
    }

    private func encodeUnion(_ value: JSONValue, _ union: AvroUnion, _ out: inout [UInt8], depth: Int) throws(AvroError) {
        try checkDepth(depth)
        if defaultsMode {
            // Specification: a union's default corresponds to its first branch.
            guard let first = union.branches.first else { throw AvroError(.typeMismatch, "empty union has no values") }
            out.append(0)
            try encode(value, first, &out, depth: depth + 1)
            return
        }
        if case .null = value, let nullIndex = union.nullIndex {
            AvroBinary.writeLong(Int64(nullIndex), to: &out)
            return
        }
        if case .object(let object) = value, object.count == 1, let index = union.branchIndex[object.keys[0]] {
            AvroBinary.writeLong(Int64(index), to: &out)
            try encode(object.values[0], union.branches[index], &out, depth: depth + 1)
            return
        }
        let mark = out.count
        var firstError: AvroError?
        for (index, branch) in union.branches.enumerated() where Self.mayFit(value.kind, branch) {
            AvroBinary.writeLong(Int64(index), to: &out)
            do {
                try encode(value, branch, &out, depth: depth + 1)
                return
            } catch {
                if firstError == nil { firstError = error }
                out.removeSubrange(mark...)
            }
        }
        if let firstError { throw firstError }
        let names = union.branches.map(\.typeName).joined(separator: ", ")
        throw AvroError(.typeMismatch, "\(value.kindName) matches no branch of union [\(names)]")
    }

    /// Cheap pre-filter for union branch selection: could a JSON value of this kind encode as `type`?
    static func mayFit(_ kind: JSONKind, _ type: AvroType) -> Bool {
        switch (kind, type) {
        case (.null, .null), (.bool, .boolean): true
        case (.number, .int), (.number, .long), (.number, .float), (.number, .double): true
        case (.string, .string), (.string, .bytes), (.string, .enumeration), (.string, .fixed): true
        case (.array, .array), (.object, .map), (.object, .record): true
        default: false
        }
    }

    @inline(__always)
    func checkDepth(_ depth: Int) throws(AvroError) {
        guard depth < maxDepth else { throw AvroError(.limitExceeded, "nesting deeper than \(maxDepth)") }
    }

    private func mismatch(_ expected: String, _ value: JSONValue) -> AvroError {
        AvroError(.typeMismatch, "expected \(expected), got \(value.kindName)")
    }

    private func integer(_ value: JSONValue, typeName: String) throws(AvroError) -> Int64 {
        switch value {
        case .int(let i):
            return i
        case .double(let d):
            guard d.isFinite, d == d.rounded(.towardZero) else {
                throw AvroError(.typeMismatch, "expected integral number for \(typeName), got \(d)")
            }
            guard d >= -0x1p63, d < 0x1p63 else {
                throw AvroError(.outOfRange, "\(d) does not fit an Avro \(typeName)")
            }
            return Int64(d)
        default:
            throw mismatch(typeName, value)
        }
    }

    private func number(_ value: JSONValue, typeName: String) throws(AvroError) -> Double {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw mismatch(typeName, value)
        }
    }

    private func latin1(_ s: String) throws(AvroError) -> [UInt8] {
        guard let bytes = AvroBinary.latin1Bytes(s) else {
            throw AvroError(.outOfRange, "bytes must be a string of code points 0-255")
        }
        return bytes
    }
}

/// The kind of a JSON value: all that union branch selection looks at.
enum JSONKind {
    case null, bool, number, string, array, object
}

extension JSONValue {
    var kind: JSONKind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int, .double: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }
}

/// Canonical textual UUID check (RFC 4122 layout, any version, either case).
enum UUIDSyntax {
    static func isValid(_ s: String) -> Bool { isValid(utf8: s.utf8) }

    static func isValid(utf8: some Collection<UInt8>) -> Bool {
        guard utf8.count == 36 else { return false }
        for (i, c) in utf8.enumerated() {
            switch i {
            case 8, 13, 18, 23:
                if c != UInt8(ascii: "-") { return false }
            default:
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                    UInt8(ascii: "A")...UInt8(ascii: "F"):
                    continue
                default: return false
                }
            }
        }
        return true
    }
}
