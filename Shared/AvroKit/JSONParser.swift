extension JSONValue {
    /// Default nesting limit of ``parse(_:maxDepth:)``.
    public static let defaultMaxDepth = 64

    /// Parses one JSON text (RFC 8259) from UTF-8 bytes.
    ///
    /// Strictness: exactly one value surrounded by optional whitespace (trailing garbage is an
    /// error); strings must be valid UTF-8 without raw control characters; only the RFC escapes
    /// are accepted; a `\u` escape of a lone (unpaired) surrogate is rejected because it has no
    /// Unicode scalar value; `\u0000` is rejected because no Postgres `text` or `jsonb` value, where
    /// the strings read here end up, can hold U+0000; duplicate object keys are rejected; nesting deeper than `maxDepth`
    /// is rejected. Integral numbers that fit in `Int64` become ``int(_:)``; integers beyond
    /// that range and numbers with a fraction or exponent become ``double(_:)``; numbers whose
    /// magnitude overflows `Double` are rejected.
    public static func parse(
        _ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        let result =
            bytes.withContiguousStorageIfAvailable { buffer in
                Result { () throws(JSONParseError) -> JSONValue in
                    var parser = JSONParser(buffer, maxDepth: maxDepth)
                    return try parser.parseDocument()
                }
            } ?? Array(bytes).withUnsafeBufferPointer { buffer in
                Result { () throws(JSONParseError) -> JSONValue in
                    var parser = JSONParser(buffer, maxDepth: maxDepth)
                    return try parser.parseDocument()
                }
            }
        return try result.get()
    }

    /// Parses one JSON text from a string (see ``parse(_:maxDepth:)-(Collection<UInt8>,_)``).
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(text.utf8, maxDepth: maxDepth)
    }
}

/// Byte-level recursive-descent parser over a contiguous buffer. Its lexing (strings, numbers, literals) is shared
/// with ``JSONAvroTranscoder`` and ``JSONValue/arrayElementRanges(_:maxDepth:)``, so every reader of JSON text in
/// AvroKit applies the same rules.
struct JSONParser {
    let input: UnsafeBufferPointer<UInt8>
    var pos = 0
    let maxDepth: Int
    /// Reused scratch buffer for strings with escapes (after ``scanString()`` returns `.unescaped`, the content).
    private(set) var scratch: [UInt8] = []
    /// Reused stack of object-key byte ranges for the duplicate check of ``skipValue(depth:)``.
    var keyStack: [Range<Int>] = []

    init(_ input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard pos == input.count else { throw error("unexpected trailing characters") }
        return value
    }

    // MARK: - Helpers

    func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? pos, reason: reason)
    }

    mutating func skipWhitespace() {
        while pos < input.count {
            switch input[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    mutating func expectLiteral(_ literal: StaticString, value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = literal.utf8CodeUnitCount
        guard input.count - pos >= count else { throw error("invalid literal") }
        let start = literal.utf8Start
        for i in 0..<count where input[pos + i] != start[i] {
            throw error("invalid literal", at: pos + i)
        }
        pos += count
        return value
    }

    // MARK: - Values

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard pos < input.count else { throw error("unexpected end of input") }
        switch input[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expectLiteral("true", value: .bool(true))
        case UInt8(ascii: "f"): return try expectLiteral("false", value: .bool(false))
        case UInt8(ascii: "n"): return try expectLiteral("null", value: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        pos += 1  // {
        var keys: [String] = []
        var values: [JSONValue] = []
        var duplicates = DuplicateKeyDetector()
        var closed = isEmptyContainer(closing: UInt8(ascii: "}"))
        while !closed {
            guard pos < input.count, input[pos] == UInt8(ascii: "\"") else { throw error("expected object key") }
            let keyOffset = pos
            let key = try parseString()
            guard duplicates.isNew(key, existing: keys) else {
                throw error("duplicate object key \"\(key)\"", at: keyOffset)
            }
            try expectColon()
            let value = try parseValue(depth: depth)
            keys.append(key)
            values.append(value)
            closed = try isContainerEnd(closing: UInt8(ascii: "}"))
        }
        return .object(JSONObject(uniqueKeys: keys, values: values))
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        pos += 1  // [
        var elements: [JSONValue] = []
        var closed = isEmptyContainer(closing: UInt8(ascii: "]"))
        while !closed {
            elements.append(try parseValue(depth: depth))
            closed = try isContainerEnd(closing: UInt8(ascii: "]"))
        }
        return .array(elements)
    }

    // MARK: - Containers

    /// Just after an opening bracket: consumes an immediate `close` and says whether the container is empty.
    mutating func isEmptyContainer(closing close: UInt8) -> Bool {
        skipWhitespace()
        guard pos < input.count, input[pos] == close else { return false }
        pos += 1
        return true
    }

    /// After a member or an element: consumes a comma (and the whitespace after it) and returns `false`, or consumes
    /// the closing `close` and returns `true`.
    mutating func isContainerEnd(closing close: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        let isObject = close == UInt8(ascii: "}")
        guard pos < input.count else { throw error(isObject ? "unterminated object" : "unterminated array") }
        switch input[pos] {
        case UInt8(ascii: ","):
            pos += 1
            skipWhitespace()
            return false
        case close:
            pos += 1
            return true
        default:
            throw error(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
        }
    }

    /// Between an object key and its value: the colon, and the whitespace around it.
    mutating func expectColon() throws(JSONParseError) {
        skipWhitespace()
        guard pos < input.count, input[pos] == UInt8(ascii: ":") else { throw error("expected ':'") }
        pos += 1
        skipWhitespace()
    }

    // MARK: - Numbers

    private func isDigit(_ i: Int) -> Bool {
        i < input.count && input[i] >= UInt8(ascii: "0") && input[i] <= UInt8(ascii: "9")
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        var negative = false
        if input[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard isDigit(pos) else { throw error("expected digit") }
        // Accumulate the integer part as a negative magnitude so Int64.min parses exactly.
        var magnitude: Int64 = 0
        var overflow = false
        if input[pos] == UInt8(ascii: "0") {
            pos += 1
            if isDigit(pos) { throw error("leading zeros are not allowed") }
        } else {
            while isDigit(pos) {
                let digit = Int64(input[pos] &- UInt8(ascii: "0"))
                if !overflow {
                    let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.subtractingReportingOverflow(digit)
                    if o1 || o2 { overflow = true } else { magnitude = s }
                }
                pos += 1
            }
        }
        var integral = true
        if pos < input.count, input[pos] == UInt8(ascii: ".") {
            integral = false
            pos += 1
            guard isDigit(pos) else { throw error("expected digit after decimal point") }
            while isDigit(pos) { pos += 1 }
        }
        if pos < input.count, input[pos] == UInt8(ascii: "e") || input[pos] == UInt8(ascii: "E") {
            integral = false
            pos += 1
            if pos < input.count, input[pos] == UInt8(ascii: "+") || input[pos] == UInt8(ascii: "-") { pos += 1 }
            guard isDigit(pos) else { throw error("expected digit in exponent") }
            while isDigit(pos) { pos += 1 }
        }
        if integral && !overflow {
            if negative { return .int(magnitude) }
            if magnitude != .min { return .int(-magnitude) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<pos]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw error("number out of range", at: start) }
        return .double(d)
    }

    // MARK: - Strings

    /// Where a scanned string's content is: still in the input (no escapes), or unescaped into ``scratch``.
    enum ScannedString {
        case raw(Range<Int>)
        case unescaped
    }

    /// Scans a string starting at the opening quote and validates it (UTF-8, no raw control characters, RFC escapes,
    /// paired surrogates) without creating a `String`.
    mutating func scanString() throws(JSONParseError) -> ScannedString {
        let start = pos
        pos += 1
        let contentStart = pos
        var ascii = true
        // Fast path: scan to the closing quote, eight plain bytes at a time; fall back to the escape path on a
        // backslash.
        while pos < input.count {
            if input.count - pos >= 8,
                Self.isPlain(UnsafeRawPointer(input.baseAddress! + pos).loadUnaligned(as: UInt64.self))
            {
                pos += 8
                continue
            }
            let b = input[pos]
            if b == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: input[contentStart..<pos])
                pos += 1
                guard ascii || Self.isValidUTF8(content) else { throw error("invalid UTF-8 in string", at: start) }
                return .raw(contentStart..<(pos - 1))
            }
            if b == UInt8(ascii: "\\") {
                try unescapeString(start: start, contentStart: contentStart)
                return .unescaped
            }
            if b < 0x20 { throw error("unescaped control character in string") }
            if b >= 0x80 { ascii = false }
            pos += 1
        }
        throw error("unterminated string", at: start)
    }

    /// Whether eight string bytes need no attention: none is a quote, a backslash, a control character or non-ASCII.
    /// (Word-at-a-time tests, exact as a yes/no: `x - 0x01…` borrows into a byte's top bit only below a zero byte.)
    @inline(__always)
    static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        let belowSpace = (word &- ones &* 0x20) & ~word & highs != 0
        return word & highs == 0 && !belowSpace && !hasZeroByte(word ^ (ones &* 0x22)) && !hasZeroByte(word ^ (ones &* 0x5C))
    }

    /// Parses a string starting at the opening quote.
    mutating func parseString() throws(JSONParseError) -> String {
        switch try scanString() {
        case .raw(let range): String(decoding: UnsafeBufferPointer(rebasing: input[range]), as: UTF8.self)
        case .unescaped: String(decoding: scratch, as: UTF8.self)
        }
    }

    /// Whether `bytes` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private mutating func unescapeString(start: Int, contentStart: Int) throws(JSONParseError) {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[contentStart..<pos]))
        while pos < input.count {
            let b = input[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                guard scratch.withUnsafeBufferPointer(Self.isValidUTF8) else {
                    throw error("invalid UTF-8 in string", at: start)
                }
                return
            case UInt8(ascii: "\\"):
                let escapeOffset = pos
                pos += 1
                guard pos < input.count else { break }
                let e = input[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    try appendUnicodeEscape(escapeOffset: escapeOffset)
                default:
                    throw error("invalid escape sequence", at: escapeOffset)
                }
            default:
                if b < 0x20 { throw error("unescaped control character in string") }
                scratch.append(b)
                pos += 1
            }
        }
        throw error("unterminated string", at: start)
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard input.count - pos >= 4 else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = input[pos]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    /// Decodes `\uXXXX` (pos is after the `u`), combining surrogate pairs.
    private mutating func appendUnicodeEscape(escapeOffset: Int) throws(JSONParseError) {
        var scalar = try readHex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard input.count - pos >= 6, input[pos] == UInt8(ascii: "\\"), input[pos + 1] == UInt8(ascii: "u") else {
                throw error("unpaired high surrogate in \\u escape", at: escapeOffset)
            }
            pos += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error("unpaired high surrogate in \\u escape", at: escapeOffset)
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw error("unpaired low surrogate in \\u escape", at: escapeOffset)
        } else if scalar == 0 {
            throw error("\\u0000 (U+0000) is not accepted: it cannot be stored", at: escapeOffset)
        }
        appendUTF8(scalar, to: &scratch)
    }
}

/// Appends the UTF-8 encoding of a Unicode scalar value (caller guarantees validity).
@inline(__always)
func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        out.append(UInt8(scalar))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | (scalar >> 6)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | (scalar >> 12)))
        out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    default:
        out.append(UInt8(0xF0 | (scalar >> 18)))
        out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (scalar & 0x3F)))
    }
}
