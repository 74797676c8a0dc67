/// Decodes Avro binary into plain JSON values, given the writer schema.
///
/// Output mirrors ``AvroEncoder`` input: unions are unwrapped, `bytes`/`fixed` become strings of
/// code points 0–255, enums their symbol, `int`/`long` ``JSONValue/int(_:)``, `float`/`double`
/// ``JSONValue/double(_:)``, records objects in field order. Logical types decode as their
/// underlying type.
///
/// Hostile input is safe: every read is bounds-checked, lengths and counts are validated against
/// the remaining input before anything is allocated, nesting is limited by ``maxDepth``, and
/// blocks of zero-byte items (e.g. `array<null>`) are capped by ``maxCollectionItems``.
/// The whole input must be consumed: trailing bytes are ``AvroError/Code/invalidData``.
public struct AvroDecoder: Sendable {
    /// Maximum container nesting (records, arrays, maps, unions).
    public var maxDepth: Int
    /// Maximum items in one array or map whose items occupy zero bytes (the only case where a
    /// count is not already bounded by the input length).
    public var maxCollectionItems: Int
    /// Whether a string (or map key) holding U+0000 is refused as ``AvroError/Code/invalidData``: valid Avro, but
    /// no Postgres `text` or `jsonb` value can hold it, so a consumer that stores strings could never write it.
    public var rejectsNUL: Bool

    public init(maxDepth: Int = 128, maxCollectionItems: Int = 1_000_000, rejectsNUL: Bool = false) {
        self.maxDepth = maxDepth
        self.maxCollectionItems = maxCollectionItems
        self.rejectsNUL = rejectsNUL
    }

    /// Decodes one datum of `schema` that occupies all of `bytes`.
    public func decode(_ bytes: some Collection<UInt8>, as schema: AvroSchema) throws(AvroError) -> JSONValue {
        try decode(bytes, as: schema.root)
    }

    /// Decodes one datum of `type` that occupies all of `bytes`.
    public func decode(_ bytes: some Collection<UInt8>, as type: AvroType) throws(AvroError) -> JSONValue {
        let result =
            bytes.withContiguousStorageIfAvailable { buffer in
                decodeResult(UnsafeRawBufferPointer(buffer), type)
            } ?? Array(bytes).withUnsafeBytes { decodeResult($0, type) }
        return try result.get()
    }

    private func decodeResult(_ buffer: UnsafeRawBufferPointer, _ type: AvroType) -> Result<JSONValue, AvroError> {
        Result { () throws(AvroError) -> JSONValue in
            var core = DecoderCore(
                input: buffer, maxDepth: maxDepth, maxCollectionItems: maxCollectionItems, rejectsNUL: rejectsNUL)
            let value = try core.decode(type, depth: 0)
            guard core.pos == buffer.count else {
                throw AvroError(
                    .invalidData, "\(buffer.count - core.pos) trailing bytes after the datum", offset: core.pos)
            }
            return value
        }
    }
}

/// The recursive decoder over a bounds-checked cursor.
struct DecoderCore {
    let input: UnsafeRawBufferPointer
    var pos = 0
    let maxDepth: Int
    let maxCollectionItems: Int
    let rejectsNUL: Bool

    init(input: UnsafeRawBufferPointer, maxDepth: Int, maxCollectionItems: Int, rejectsNUL: Bool = false) {
        self.input = input
        self.maxDepth = maxDepth
        self.maxCollectionItems = maxCollectionItems
        self.rejectsNUL = rejectsNUL
    }

    var remaining: Int { input.count - pos }

    // MARK: - Primitives

    private func truncated(_ what: String) -> AvroError {
        AvroError(.truncated, "input ends inside \(what)", offset: pos)
    }

    mutating func readVarint() throws(AvroError) -> UInt64 {
        let start = pos
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < input.count else { throw truncated("a varint") }
            let b = input[pos]
            pos += 1
            // The 10th byte may only contribute bit 63.
            if shift == 63, b > 1 { throw AvroError(.invalidData, "varint overflows 64 bits", offset: start) }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func readLong() throws(AvroError) -> Int64 {
        let n = try readVarint()
        return Int64(bitPattern: (n >> 1) ^ (0 &- (n & 1)))
    }

    mutating func readInt() throws(AvroError) -> Int32 {
        let start = pos
        let v = try readLong()
        guard let i = Int32(exactly: v) else {
            throw AvroError(.invalidData, "int value \(v) exceeds 32 bits", offset: start)
        }
        return i
    }

    /// Reads a byte-length prefix and returns the byte range it covers.
    mutating func readLengthPrefixed(_ what: String) throws(AvroError) -> UnsafeRawBufferPointer {
        let start = pos
        let length = try readLong()
        guard length >= 0 else { throw AvroError(.invalidData, "negative \(what) length \(length)", offset: start) }
        guard length <= Int64(remaining) else {
            throw AvroError(.truncated, "\(what) length \(length) exceeds the \(remaining) remaining bytes", offset: start)
        }
        return try take(Int(length), what)
    }

    mutating func take(_ count: Int, _ what: String) throws(AvroError) -> UnsafeRawBufferPointer {
        guard count <= remaining else { throw truncated(what) }
        let slice = UnsafeRawBufferPointer(rebasing: input[pos..<(pos + count)])
        pos += count
        return slice
    }

    mutating func readString() throws(AvroError) -> String {
        let start = pos
        let bytes = try readLengthPrefixed("string")
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw AvroError(.invalidData, "string is not valid UTF-8", offset: start)
        }
        if rejectsNUL, bytes.contains(0) {
            throw AvroError(.invalidData, "string holds U+0000, which cannot be stored", offset: start)
        }
        return s
    }

    // MARK: - Values

    mutating func decode(_ type: AvroType, depth: Int) throws(AvroError) -> JSONValue {
        switch type {
        case .null:
            return .null
        case .boolean:
            guard pos < input.count else { throw truncated("a boolean") }
            let b = input[pos]
            guard b <= 1 else { throw AvroError(.invalidData, "boolean byte \(b) is neither 0 nor 1", offset: pos) }
            pos += 1
            return .bool(b == 1)
        case .int:
            return .int(Int64(try readInt()))
        case .long:
            return .int(try readLong())
        case .float:
            let raw = try take(4, "a float")
            return .double(Double(Float(bitPattern: raw.loadUnaligned(as: UInt32.self).littleEndian)))
        case .double:
            let raw = try take(8, "a double")
            return .double(Double(bitPattern: raw.loadUnaligned(as: UInt64.self).littleEndian))
        case .bytes:
            return .string(AvroBinary.latin1String(try readLengthPrefixed("bytes")))
        case .string:
            return .string(try readString())
        case .fixed(let fixed):
            return .string(AvroBinary.latin1String(try take(fixed.size, "fixed \(fixed.name)")))
        case .enumeration(let e):
            let start = pos
            let index = try readLong()
            guard index >= 0, index < Int64(e.symbols.count) else {
                throw AvroError(.invalidData, "enum index \(index) out of range for \(e.name)", offset: start)
            }
            return .string(e.symbols[Int(index)])
        case .union(let union):
            try checkDepth(depth)
            let start = pos
            let index = try readLong()
            guard index >= 0, index < Int64(union.branches.count) else {
                throw AvroError(.invalidData, "union branch index \(index) out of range", offset: start)
            }
            return try decode(union.branches[Int(index)], depth: depth + 1)
        case .record(let record):
            try checkDepth(depth)
            var values: [JSONValue] = []
            values.reserveCapacity(record.fields.count)
            for field in record.fields {
                do {
                    values.append(try decode(field.type, depth: depth + 1))
                } catch {
                    throw error.within(.field(field.name))
                }
            }
            return .object(JSONObject(uniqueKeys: record.fieldNames, values: values))
        case .array(let items):
            try checkDepth(depth)
            var elements: [JSONValue] = []
            var zeroSizeItems: Bool?
            while true {
                let count = try readBlockCount(itemType: items, total: elements.count, zeroSize: &zeroSizeItems)
                if count == 0 { break }
                elements.reserveCapacity(elements.count + min(count, remaining + 1))
                for _ in 0..<count {
                    let i = elements.count
                    do { elements.append(try decode(items, depth: depth + 1)) } catch { throw error.within(.index(i)) }
                }
            }
            return .array(elements)
        case .map(let valueType):
            try checkDepth(depth)
            var keys: [String] = []
            var values: [JSONValue] = []
            var duplicates = DuplicateKeyDetector()
            var zeroSizeItems: Bool?
            while true {
                // Each entry has at least a one-byte key length, so entries are never zero-size.
                zeroSizeItems = false
                let count = try readBlockCount(itemType: valueType, total: keys.count, zeroSize: &zeroSizeItems)
                if count == 0 { break }
                for _ in 0..<count {
                    let keyOffset = pos
                    let key = try readString()
                    guard duplicates.isNew(key, existing: keys) else {
                        throw AvroError(.invalidData, "duplicate map key \"\(key)\"", offset: keyOffset)
                    }
                    do { values.append(try decode(valueType, depth: depth + 1)) } catch { throw error.within(.key(key)) }
                    keys.append(key)
                }
            }
            return .object(JSONObject(uniqueKeys: keys, values: values))
        }
    }

    /// Reads one block header (count, and byte size for negative counts) and validates the
    /// count against the remaining input, so a forged count cannot trigger a huge allocation or
    /// a near-endless loop.
    private mutating func readBlockCount(itemType: AvroType, total: Int, zeroSize: inout Bool?) throws(AvroError) -> Int {
        let start = pos
        var count = try readLong()
        if count < 0 {
            guard count != .min else { throw AvroError(.invalidData, "invalid block count", offset: start) }
            count = -count
            let sizeOffset = pos
            let size = try readLong()
            guard size >= 0 else { throw AvroError(.invalidData, "negative block size \(size)", offset: sizeOffset) }
        }
        if count == 0 { return 0 }
        if count > Int64(remaining) {
            if zeroSize == nil {
                var visiting = Set<ObjectIdentifier>()
                zeroSize = Self.isZeroSize(itemType, visiting: &visiting)
            }
            guard zeroSize == true else {
                throw AvroError(
                    .truncated, "block of \(count) items exceeds the \(remaining) remaining bytes", offset: start)
            }
        }
        guard count <= Int64(maxCollectionItems - total) else {
            throw AvroError(.limitExceeded, "more than \(maxCollectionItems) items in one collection", offset: start)
        }
        return Int(count)
    }

    /// Whether a datum of `type` always encodes to zero bytes (null, fixed(0), records of such).
    static func isZeroSize(_ type: AvroType, visiting: inout Set<ObjectIdentifier>) -> Bool {
        switch type {
        case .null: return true
        case .fixed(let f): return f.size == 0
        case .record(let r):
            // A record reached again through itself cannot be finite and zero-size.
            guard visiting.insert(ObjectIdentifier(r)).inserted else { return false }
            return r.fields.allSatisfy { isZeroSize($0.type, visiting: &visiting) }
        default: return false
        }
    }

    @inline(__always)
    private func checkDepth(_ depth: Int) throws(AvroError) {
        guard depth < maxDepth else { throw AvroError(.limitExceeded, "nesting deeper than \(maxDepth)", offset: pos) }
    }
}
