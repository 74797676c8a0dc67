import AvroKit

/// Generates random plain-JSON values for a schema, as (input, expected) pairs: `input` is what a
/// producer might send (fields with defaults sometimes omitted, union values sometimes in the
/// wrapped `{"branch": v}` form), `expected` is what decoding the encoding must give back
/// (defaults filled in, unions unwrapped, floats rounded to Float precision).
struct RandomValues {
    var rng: SeededRNG
    var maxDepth = 4

    init(seed: UInt64) { rng = SeededRNG(seed: seed) }

    private static let stringPool: [String] = [
        "a", "b", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "ß", "日本", "🎉", "\u{7F}",
        "\u{FFFF}", "user", "files/", ".", "-",
    ]

    mutating func int(in range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &rng) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func string() -> String {
        let n = Int.random(in: 0...12, using: &rng)
        return (0..<n).map { _ in Self.stringPool.randomElement(using: &rng) ?? "" }.joined()
    }

    mutating func latin1(count: Int) -> String {
        String(String.UnicodeScalarView((0..<count).compactMap { _ in Unicode.Scalar(UInt8.random(in: 0...255, using: &rng)) }))
    }

    mutating func integer(_ bits: Int) -> Int64 {
        let edges: [Int64] = bits == 32 ? [0, -1, 1, Int64(Int32.min), Int64(Int32.max)] : [0, -1, 1, .min, .max, 1 << 40]
        if chance(0.2), let e = edges.randomElement(using: &rng) { return e }
        if chance(0.5) { return int(in: -300...300) }
        return bits == 32 ? int(in: Int64(Int32.min)...Int64(Int32.max)) : Int64.random(in: .min ... .max, using: &rng)
    }

    mutating func double() -> Double {
        if chance(0.2), let e = [0.0, -0.0, 1.5, -2.25, 1e300, Double.leastNonzeroMagnitude, 0.1].randomElement(using: &rng) { return e }
        return Double.random(in: -1e6...1e6, using: &rng)
    }

    mutating func uuid() -> String {
        let hex = Array("0123456789abcdef")
        return [8, 4, 4, 4, 12].map { n in String((0..<n).map { _ in hex[Int.random(in: 0..<16, using: &rng)] }) }
            .joined(separator: "-")
    }

    mutating func value(_ type: AvroType, depth: Int = 0) -> (input: JSONValue, expected: JSONValue) {
        switch type {
        case .null: return same(.null)
        case .boolean: return same(.bool(chance(0.5)))
        case .int: return same(.int(integer(32)))
        case .long: return same(.int(integer(64)))
        case .float:
            let f = Float(double())
            return same(.double(Double(f.isFinite ? f : 1)))
        case .double: return same(.double(double()))
        case .string(let logical):
            return same(.string(logical == .uuid ? uuid() : string()))
        case .bytes: return same(.string(latin1(count: Int.random(in: 0...10, using: &rng))))
        case .fixed(let f): return same(.string(latin1(count: f.size)))
        case .enumeration(let e): return same(.string(e.symbols.randomElement(using: &rng) ?? ""))
        case .array(let items):
            let n = depth >= maxDepth ? 0 : Int.random(in: 0...4, using: &rng)
            let pairs = (0..<n).map { _ in value(items, depth: depth + 1) }
            return (.array(pairs.map(\.input)), .array(pairs.map(\.expected)))
        case .map(let values):
            let n = depth >= maxDepth ? 0 : Int.random(in: 0...4, using: &rng)
            var input = JSONObject()
            var expected = JSONObject()
            for i in 0..<n {
                let key = string() + "#\(i)"
                let pair = value(values, depth: depth + 1)
                input[key] = pair.input
                expected[key] = pair.expected
            }
            return (.object(input), .object(expected))
        case .record(let record):
            var input = JSONObject()
            var expected = JSONObject()
            for field in record.fields {
                if let d = field.defaultValue, chance(0.3) {
                    expected[field.name] = Self.expectedDefault(d, field.type)
                    continue
                }
                let pair = value(field.type, depth: depth + 1)
                input[field.name] = pair.input
                expected[field.name] = pair.expected
            }
            return (.object(input), .object(expected))
        case .union(let union):
            // Deep recursion is cut off by preferring a null branch.
            var index = Int.random(in: 0..<union.branches.count, using: &rng)
            if depth >= maxDepth, let n = union.nullIndex { index = n }
            let branch = union.branches[index]
            let pair = value(branch, depth: depth + 1)
            if case .null = branch { return pair }
            let unambiguous = Self.firstFit(pair.input, union) == index && !Self.looksWrapped(pair.input, union)
            if !unambiguous || chance(0.25) {
                return (.object([branch.typeName: pair.input]), pair.expected)
            }
            return pair
        }
    }

    private func same(_ v: JSONValue) -> (input: JSONValue, expected: JSONValue) { (v, v) }

    static func looksWrapped(_ v: JSONValue, _ union: AvroUnion) -> Bool {
        guard case .object(let o) = v, o.count == 1, let key = o.keys.first else { return false }
        return union.branchIndex[key] != nil
    }

    /// Test-side model of the union rule "first branch the value fits".
    static func firstFit(_ v: JSONValue, _ union: AvroUnion) -> Int? {
        union.branches.firstIndex { fits(v, $0) }
    }

    static func fits(_ v: JSONValue, _ t: AvroType) -> Bool {
        switch (t, v) {
        case (.null, .null), (.boolean, .bool): return true
        case (.int, .int(let i)): return Int32(exactly: i) != nil
        case (.int, .double(let d)): return d == d.rounded() && Int32(exactly: d) != nil
        case (.long, .int): return true
        case (.long, .double(let d)): return d == d.rounded() && Int64(exactly: d) != nil
        case (.float, .int), (.float, .double), (.double, .int), (.double, .double): return true
        case (.string(let l), .string(let s)): return l != .uuid || s.count == 36
        case (.bytes, .string(let s)): return s.unicodeScalars.allSatisfy { $0.value < 256 }
        case (.fixed(let f), .string(let s)):
            return s.unicodeScalars.allSatisfy { $0.value < 256 } && s.unicodeScalars.count == f.size
        case (.enumeration(let e), .string(let s)): return e.symbols.contains(s)
        case (.array(let items), .array(let a)): return a.allSatisfy { fits($0, items) }
        case (.map(let values), .object(let o)): return o.values.allSatisfy { fits($0, values) }
        case (.record(let r), .object(let o)):
            return r.fields.allSatisfy { f in o[f.name].map { fits($0, f.type) } ?? (f.defaultValue != nil) }
                && o.keys.allSatisfy { r.fieldIndex[$0] != nil }
        case (.union(let u), _):
            if looksWrapped(v, u), case .object(let o) = v, let k = o.keys.first, let i = u.branchIndex[k] {
                return fits(o.values[0], u.branches[i])
            }
            return firstFit(v, u) != nil
        default: return false
        }
    }

    /// What a schema default decodes to (union defaults belong to the first branch).
    static func expectedDefault(_ d: JSONValue, _ type: AvroType) -> JSONValue {
        switch (type, d) {
        case (.union(let u), _): return u.branches.first.map { expectedDefault(d, $0) } ?? d
        case (.float, .int(let i)): return .double(Double(Float(i)))
        case (.float, .double(let x)): return .double(Double(Float(x)))
        case (.double, .int(let i)): return .double(Double(i))
        case (.int, .double(let x)), (.long, .double(let x)): return .int(Int64(x))
        case (.array(let items), .array(let a)): return .array(a.map { expectedDefault($0, items) })
        case (.map(let values), .object(let o)):
            return .object(JSONObject(o.members.map { ($0.key, expectedDefault($0.value, values)) }))
        case (.record(let r), .object(let o)):
            return .object(
                JSONObject(
                    r.fields.map { f in
                        (f.name, expectedDefault(o[f.name] ?? f.defaultValue ?? .null, f.type))
                    }))
        default: return d
        }
    }
}
