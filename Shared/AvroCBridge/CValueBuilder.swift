internal import CAvro
import AvroKit

/// Fills an avro-c generic value from a plain JSON value, walking the AvroKit schema in parallel.
///
/// Union branch choice is an independent re-implementation of AvroEncoder's rules (a wrapped
/// `{"branch": v}` object first, then the first branch the value fits, checked deeply), so the
/// differential test really compares two implementations.
enum CValueBuilder {
    static func fail(_ message: String) -> AvroCError {
        AvroCError(operation: "CValueBuilder", message: message)
    }

    static func check(_ rc: Int32, _ operation: String) throws(AvroCError) {
        guard rc == 0 else { throw AvroCCodec.lastError(operation) }
    }

    static func fill(_ v: inout avro_value_t, with value: JSONValue, as type: AvroType, defaultsMode: Bool) throws(AvroCError) {
        switch (type, value) {
        case (.null, .null):
            try check(cavro_value_set_null(&v), "avro_value_set_null")
        case (.boolean, .bool(let b)):
            try check(cavro_value_set_boolean(&v, b ? 1 : 0), "avro_value_set_boolean")
        case (.int, _):
            guard let i = integral(value), let i32 = Int32(exactly: i) else { throw fail("not an int: \(value)") }
            try check(cavro_value_set_int(&v, i32), "avro_value_set_int")
        case (.long, _):
            guard let i = integral(value) else { throw fail("not a long: \(value)") }
            try check(cavro_value_set_long(&v, i), "avro_value_set_long")
        case (.float, _):
            guard let d = number(value) else { throw fail("not a float: \(value)") }
            try check(cavro_value_set_float(&v, Float(d)), "avro_value_set_float")
        case (.double, _):
            guard let d = number(value) else { throw fail("not a double: \(value)") }
            try check(cavro_value_set_double(&v, d), "avro_value_set_double")
        case (.string, .string(let s)):
            // avro-c's set_string_len length INCLUDES the trailing NUL that withCString provides.
            let length = s.utf8.count + 1
            let rc = s.withCString { cavro_value_set_string_len(&v, $0, length) }
            try check(rc, "avro_value_set_string_len")
        case (.bytes, .string(let s)):
            guard var bytes = latin1(s) else { throw fail("bytes code point > 255") }
            let rc = bytes.withUnsafeMutableBytes { cavro_value_set_bytes(&v, $0.baseAddress, $0.count) }
            try check(rc, "avro_value_set_bytes")
        case (.fixed(let fixed), .string(let s)):
            guard var bytes = latin1(s), bytes.count == fixed.size else { throw fail("bad fixed value") }
            let rc = bytes.withUnsafeMutableBytes { cavro_value_set_fixed(&v, $0.baseAddress, $0.count) }
            try check(rc, "avro_value_set_fixed")
        case (.enumeration(let e), .string(let s)):
            guard let index = e.symbols.firstIndex(of: s) else { throw fail("unknown symbol \(s)") }
            try check(cavro_value_set_enum(&v, Int32(index)), "avro_value_set_enum")
        case (.array(let items), .array(let elements)):
            for element in elements {
                var child = avro_value_t()
                try check(cavro_value_append(&v, &child, nil), "avro_value_append")
                try fill(&child, with: element, as: items, defaultsMode: defaultsMode)
            }
        case (.map(let valueType), .object(let object)):
            for (key, element) in object.members {
                var child = avro_value_t()
                let rc = key.withCString { cavro_value_add(&v, $0, &child, nil, nil) }
                try check(rc, "avro_value_add")
                try fill(&child, with: element, as: valueType, defaultsMode: defaultsMode)
            }
        case (.record(let record), .object(let object)):
            for field in record.fields {
                var child = avro_value_t()
                let rc = field.name.withCString { cavro_value_get_by_name(&v, $0, &child, nil) }
                try check(rc, "avro_value_get_by_name")
                if let fieldValue = object[field.name] {
                    try fill(&child, with: fieldValue, as: field.type, defaultsMode: defaultsMode)
                } else if let defaultValue = field.defaultValue {
                    try fill(&child, with: defaultValue, as: field.type, defaultsMode: true)
                } else {
                    throw fail("missing field \(field.name)")
                }
            }
        case (.union(let union), _):
            let (index, inner) = try chooseBranch(value, union, defaultsMode: defaultsMode)
            var branch = avro_value_t()
            try check(cavro_value_set_branch(&v, Int32(index), &branch), "avro_value_set_branch")
            try fill(&branch, with: inner, as: union.branches[index], defaultsMode: defaultsMode)
        default:
            throw fail("\(value) does not fit \(type.typeName)")
        }
    }

    static func chooseBranch(_ value: JSONValue, _ union: AvroUnion, defaultsMode: Bool) throws(AvroCError) -> (Int, JSONValue) {
        if defaultsMode { return (0, value) }
        if case .object(let o) = value, o.count == 1, let key = o.keys.first,
            let index = union.branches.firstIndex(where: { $0.typeName == key }), let inner = o[key]
        {
            return (index, inner)
        }
        guard let index = union.branches.firstIndex(where: { fits(value, $0) }) else {
            throw fail("no union branch fits \(value)")
        }
        return (index, value)
    }

    /// Deep check: would `value` encode as `type`?
    static func fits(_ value: JSONValue, _ type: AvroType) -> Bool {
        switch (type, value) {
        case (.null, .null), (.boolean, .bool): return true
        case (.int, _): return integral(value).flatMap { Int32(exactly: $0) } != nil
        case (.long, _): return integral(value) != nil
        case (.float, _):
            guard let d = number(value) else { return false }
            return !(Float(d).isInfinite && d.isFinite)
        case (.double, _): return number(value) != nil
        case (.string(let logical), .string(let s)):
            return logical != .uuid || isUUID(s)
        case (.bytes, .string(let s)): return latin1(s) != nil
        case (.fixed(let f), .string(let s)): return latin1(s)?.count == f.size
        case (.enumeration(let e), .string(let s)): return e.symbols.contains(s)
        case (.array(let items), .array(let elements)): return elements.allSatisfy { fits($0, items) }
        case (.map(let values), .object(let o)): return o.values.allSatisfy { fits($0, values) }
        case (.record(let r), .object(let o)):
            for field in r.fields {
                if let fieldValue = o[field.name] {
                    if !fits(fieldValue, field.type) { return false }
                } else if field.defaultValue == nil {
                    return false
                }
            }
            return o.keys.allSatisfy { key in r.fields.contains { $0.name == key } }
        case (.union(let u), _):
            if case .object(let o) = value, o.count == 1, let key = o.keys.first,
                let branch = u.branches.first(where: { $0.typeName == key }), let inner = o[key]
            {
                return fits(inner, branch)
            }
            return u.branches.contains { fits(value, $0) }
        default: return false
        }
    }

    static func integral(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let i): return i
        case .double(let d) where d.isFinite && d == d.rounded(.towardZero) && d >= -0x1p63 && d < 0x1p63:
            return Int64(d)
        default: return nil
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    static func latin1(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in s.unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            out.append(UInt8(scalar.value))
        }
        return out
    }

    static func isUUID(_ s: String) -> Bool {
        let chars = Array(s.unicodeScalars)
        guard chars.count == 36 else { return false }
        for (i, c) in chars.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if c != "-" { return false }
            } else if !c.properties.isASCIIHexDigit {
                return false
            }
        }
        return true
    }
}
