/// Renders the Parsing Canonical Form: full names, no `namespace`, only the attributes
/// `name, type, fields, symbols, items, values, size` in that order, primitives as bare strings
/// (logical types and all other attributes stripped), no whitespace, and every named type spelt
/// out at its first occurrence and referred to by full name afterwards.
enum AvroCanonicalForm {
    static func render(_ type: AvroType) -> String {
        var out: [UInt8] = []
        var seen = Set<String>()
        write(type, to: &out, seen: &seen)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ type: AvroType, to out: inout [UInt8], seen: inout Set<String>) {
        func raw(_ s: StaticString) { JSONSerializer.appendASCII(s, to: &out) }
        func str(_ s: String) { JSONSerializer.writeString(s, to: &out) }
        switch type {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string:
            str(type.typeName)
        case .array(let items):
            raw("{\"type\":\"array\",\"items\":")
            write(items, to: &out, seen: &seen)
            raw("}")
        case .map(let values):
            raw("{\"type\":\"map\",\"values\":")
            write(values, to: &out, seen: &seen)
            raw("}")
        case .union(let union):
            raw("[")
            for (i, branch) in union.branches.enumerated() {
                if i > 0 { raw(",") }
                write(branch, to: &out, seen: &seen)
            }
            raw("]")
        case .record(let record):
            let name = record.name.fullName
            guard seen.insert(name).inserted else { return str(name) }
            raw("{\"name\":")
            str(name)
            raw(",\"type\":\"record\",\"fields\":[")
            for (i, field) in record.fields.enumerated() {
                if i > 0 { raw(",") }
                raw("{\"name\":")
                str(field.name)
                raw(",\"type\":")
                write(field.type, to: &out, seen: &seen)
                raw("}")
            }
            raw("]}")
        case .enumeration(let e):
            let name = e.name.fullName
            guard seen.insert(name).inserted else { return str(name) }
            raw("{\"name\":")
            str(name)
            raw(",\"type\":\"enum\",\"symbols\":[")
            for (i, symbol) in e.symbols.enumerated() {
                if i > 0 { raw(",") }
                str(symbol)
            }
            raw("]}")
        case .fixed(let fixed):
            let name = fixed.name.fullName
            guard seen.insert(name).inserted else { return str(name) }
            raw("{\"name\":")
            str(name)
            raw(",\"type\":\"fixed\",\"size\":")
            out.append(contentsOf: String(fixed.size).utf8)
            raw("}")
        }
    }
}
