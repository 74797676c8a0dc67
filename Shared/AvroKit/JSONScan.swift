extension JSONValue {
    /// The byte ranges of a JSON array's elements, found without building any values — so a batch of events can be
    /// split and each element handled on its own (see ``JSONAvroTranscoder``).
    ///
    /// Returns the ranges only when ``parse(_:maxDepth:)`` would accept `bytes` as an array: the same lexing,
    /// nesting limit and duplicate-key rule. Returns `nil` when it would not, when the text is not an array, and for
    /// objects it does not check cheaply (a key with an escape or non-ASCII characters, more than 32 keys); parsing decides those.
    public static func arrayElementRanges(
        _ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth
    ) -> [Range<Int>]? {
        var parser = JSONParser(bytes, maxDepth: maxDepth)
        return try? parser.scanArrayElements()
    }
}

extension JSONParser {
    /// Objects with more keys than this are left to the parser's hashed duplicate check.
    private static let scannedKeyLimit = 32

    mutating func scanArrayElements() throws(JSONParseError) -> [Range<Int>] {
        skipWhitespace()
        guard pos < input.count, input[pos] == UInt8(ascii: "[") else { throw error("not an array") }
        guard 1 <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        pos += 1
        var ranges: [Range<Int>] = []
        var closed = isEmptyContainer(closing: UInt8(ascii: "]"))
        while !closed {
            let start = pos
            try skipValue(depth: 1)
            ranges.append(start..<pos)
            closed = try isContainerEnd(closing: UInt8(ascii: "]"))
        }
        skipWhitespace()
        guard pos == input.count else { throw error("unexpected trailing characters") }
        return ranges
    }

    /// Checks one value as ``parseValue`` would, without building it. `depth` is the nesting of the enclosing value.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard pos < input.count else { throw error("unexpected end of input") }
        switch input[pos] {
        case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
        case UInt8(ascii: "["): try skipArray(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "t"): _ = try expectLiteral("true", value: .null)
        case UInt8(ascii: "f"): _ = try expectLiteral("false", value: .null)
        case UInt8(ascii: "n"): _ = try expectLiteral("null", value: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw error("unexpected character")
        }
    }

    private mutating func skipObject(depth: Int) throws(JSONParseError) {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        pos += 1  // {
        let base = keyStack.count
        defer { keyStack.removeSubrange(base...) }
        var closed = isEmptyContainer(closing: UInt8(ascii: "}"))
        while !closed {
            guard pos < input.count, input[pos] == UInt8(ascii: "\"") else { throw error("expected object key") }
            // Only ASCII keys compare by bytes exactly as `String`s do (Unicode equivalence).
            guard case .raw(let key) = try scanString(), keyStack.count - base < Self.scannedKeyLimit,
                input[key].allSatisfy({ $0 < 0x80 })
            else {
                throw error("object left to the parser")
            }
            for seen in keyStack[base...] where input[seen].elementsEqual(input[key]) {
                throw error("duplicate object key")
            }
            keyStack.append(key)
            try expectColon()
            try skipValue(depth: depth)
            closed = try isContainerEnd(closing: UInt8(ascii: "}"))
        }
    }

    private mutating func skipArray(depth: Int) throws(JSONParseError) {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        pos += 1  // [
        var closed = isEmptyContainer(closing: UInt8(ascii: "]"))
        while !closed {
            try skipValue(depth: depth)
            closed = try isContainerEnd(closing: UInt8(ascii: "]"))
        }
    }
}
