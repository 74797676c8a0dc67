/// Turns schema JSON into resolved ``AvroType`` nodes, enforcing the specification's rules on
/// names, namespaces, unions, enums, fixed sizes and defaults.
///
/// Paths are carried downwards (schema parsing is not a hot path) so every error can name the
/// exact location in the schema JSON, e.g. `$.fields[2].type[1].symbols[0]`.
struct AvroSchemaParser {
    typealias Path = [AvroError.PathComponent]

    /// Named types by full name, in definition order of registration.
    private(set) var named: [String: AvroType] = [:]
    /// Records with the schema path of their definition, for the defaults pass.
    private var records: [(record: AvroRecord, path: Path)] = []

    static let primitiveNames: Set<String> = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]

    private func fail(_ message: String, _ path: Path) -> AvroError {
        AvroError(.invalidSchema, message, path: path)
    }

    // MARK: - Dispatch

    mutating func parse(_ json: JSONValue, namespace: String?, path: Path) throws(AvroError) -> AvroType {
        switch json {
        case .string(let name):
            return try resolve(name, namespace: namespace, path: path)
        case .array(let branches):
            return try parseUnion(branches, namespace: namespace, path: path)
        case .object(let object):
            return try parseObject(object, namespace: namespace, path: path)
        default:
            throw fail("a schema must be a type name, an object or an array (union), not \(json.kindName)", path)
        }
    }

    private func primitive(_ name: String, logical: AvroLogicalType?) -> AvroType? {
        switch name {
        case "null": .null
        case "boolean": .boolean
        case "int": .int(logical)
        case "long": .long(logical)
        case "float": .float
        case "double": .double
        case "bytes": .bytes(logical)
        case "string": .string(logical)
        default: nil
        }
    }

    /// Resolves a type name: a primitive, or a named type already defined (names must be
    /// defined before use; a record's own name is registered before its fields are parsed).
    /// An unqualified name is looked up in the enclosing namespace first, then in the null
    /// namespace.
    private func resolve(_ name: String, namespace: String?, path: Path) throws(AvroError) -> AvroType {
        if let p = primitive(name, logical: nil) { return p }
        if !name.contains("."), let namespace, let t = named[namespace + "." + name] { return t }
        if let t = named[name] { return t }
        throw fail("unknown type \"\(name)\"", path)
    }

    private mutating func parseObject(_ o: JSONObject, namespace: String?, path: Path) throws(AvroError) -> AvroType {
        guard let typeValue = o["type"] else { throw fail("missing \"type\"", path) }
        guard case .string(let type) = typeValue else {
            throw fail("\"type\" must be a string in a type definition object", path + [.field("type")])
        }
        switch type {
        case "null", "boolean", "float", "double":
            return primitive(type, logical: nil) ?? .null
        case "int", "long", "bytes", "string":
            let logical = try logicalType(o, base: type, fixedSize: nil, path: path)
            return primitive(type, logical: logical) ?? .null
        case "record", "error":
            return try parseRecord(o, namespace: namespace, path: path)
        case "enum":
            return try parseEnum(o, namespace: namespace, path: path)
        case "fixed":
            return try parseFixed(o, namespace: namespace, path: path)
        case "array":
            guard let items = o["items"] else { throw fail("array is missing \"items\"", path) }
            return .array(try parse(items, namespace: namespace, path: path + [.field("items")]))
        case "map":
            guard let values = o["values"] else { throw fail("map is missing \"values\"", path) }
            return .map(try parse(values, namespace: namespace, path: path + [.field("values")]))
        default:
            // `{"type": "com.x.Named"}` is an (unusual but accepted) reference.
            return try resolve(type, namespace: namespace, path: path + [.field("type")])
        }
    }

    // MARK: - Unions

    private mutating func parseUnion(_ items: [JSONValue], namespace: String?, path: Path) throws(AvroError) -> AvroType {
        var branches: [AvroType] = []
        var seen = Set<String>()
        for (i, item) in items.enumerated() {
            let branchPath = path + [.index(i)]
            let branch = try parse(item, namespace: namespace, path: branchPath)
            if case .union = branch { throw fail("unions may not immediately contain other unions", branchPath) }
            // Spec: no two branches of the same type, except named types with different names.
            guard seen.insert(branch.typeName).inserted else {
                throw fail("union contains \"\(branch.typeName)\" more than once", branchPath)
            }
            branches.append(branch)
        }
        return .union(AvroUnion(branches: branches))
    }

    // MARK: - Names

    private static func isValidName(_ s: Substring) -> Bool {
        guard let first = s.utf8.first else { return false }
        guard first == UInt8(ascii: "_") || (first | 0x20 >= UInt8(ascii: "a") && first | 0x20 <= UInt8(ascii: "z")) else {
            return false
        }
        return s.utf8.allSatisfy { c in
            c == UInt8(ascii: "_") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "z"))
        }
    }

    static func isValidName(_ s: String) -> Bool { isValidName(s[...]) }

    private static func isValidNamespace(_ s: String) -> Bool {
        s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isValidName($0) }
    }

    /// Applies the specification's full-name rules: a dotted `name` is already a full name (its
    /// prefix is the namespace and any `namespace` attribute is ignored); otherwise the
    /// `namespace` attribute, else the enclosing namespace, qualifies it. `""` is the null namespace.
    private func makeName(_ o: JSONObject, enclosing: String?, path: Path) throws(AvroError) -> AvroName {
        guard case .string(let raw)? = o["name"] else { throw fail("named type is missing a string \"name\"", path) }
        var namespace: String?
        var name = raw
        if let dot = raw.lastIndex(of: ".") {
            namespace = String(raw[..<dot])
            name = String(raw[raw.index(after: dot)...])
        } else {
            switch o["namespace"] {
            case nil, .null?: namespace = enclosing
            case .string(let ns)?: namespace = ns
            default: throw fail("\"namespace\" must be a string", path + [.field("namespace")])
            }
        }
        if namespace == "" { namespace = nil }
        guard Self.isValidName(name) else { throw fail("invalid name \"\(raw)\"", path + [.field("name")]) }
        if let namespace, !Self.isValidNamespace(namespace) {
            throw fail("invalid namespace \"\(namespace)\"", path + [.field("namespace")])
        }
        let full = AvroName(name: name, namespace: namespace)
        if Self.primitiveNames.contains(full.fullName) {
            throw fail("primitive type name \"\(full.fullName)\" cannot be redefined", path + [.field("name")])
        }
        guard named[full.fullName] == nil else {
            throw fail("type \"\(full.fullName)\" is defined twice", path + [.field("name")])
        }
        return full
    }

    private func optionalString(_ o: JSONObject, _ key: String, path: Path) throws(AvroError) -> String? {
        switch o[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw fail("\"\(key)\" must be a string", path + [.field(key)])
        }
    }

    /// Aliases are parsed for validity and kept, but not used (no schema resolution here).
    private func aliases(_ o: JSONObject, path: Path) throws(AvroError) -> [String] {
        guard let value = o["aliases"] else { return [] }
        guard case .array(let items) = value else { throw fail("\"aliases\" must be an array of strings", path) }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw fail("alias must be a string", path + [.field("aliases"), .index(i)])
            }
            result.append(s)
        }
        return result
    }

    // MARK: - Named types

    private mutating func parseRecord(_ o: JSONObject, namespace: String?, path: Path) throws(AvroError) -> AvroType {
        let name = try makeName(o, enclosing: namespace, path: path)
        let record = AvroRecord(
            name: name, doc: try optionalString(o, "doc", path: path), aliases: try aliases(o, path: path))
        // Register before the fields so they can refer to the record recursively.
        named[name.fullName] = .record(record)
        records.append((record, path))
        guard case .array(let fieldValues)? = o["fields"] else {
            throw fail("record \(name) needs a \"fields\" array", path + [.field("fields")])
        }
        var fields: [AvroField] = []
        var index: [String: Int] = [:]
        for (i, fieldValue) in fieldValues.enumerated() {
            let fieldPath = path + [.field("fields"), .index(i)]
            guard case .object(let f) = fieldValue else { throw fail("a field must be an object", fieldPath) }
            guard case .string(let fieldName)? = f["name"], Self.isValidName(fieldName) else {
                throw fail("field needs a valid string \"name\"", fieldPath + [.field("name")])
            }
            guard index[fieldName] == nil else { throw fail("duplicate field \"\(fieldName)\"", fieldPath) }
            guard let typeValue = f["type"] else { throw fail("field \"\(fieldName)\" is missing \"type\"", fieldPath) }
            let type = try parse(typeValue, namespace: name.namespace, path: fieldPath + [.field("type")])
            if let order = f["order"] {
                guard case .string(let s) = order, ["ascending", "descending", "ignore"].contains(s) else {
                    throw fail("\"order\" must be ascending, descending or ignore", fieldPath + [.field("order")])
                }
            }
            index[fieldName] = fields.count
            fields.append(
                AvroField(
                    name: fieldName, type: type, defaultValue: f["default"],
                    doc: try optionalString(f, "doc", path: fieldPath), aliases: try aliases(f, path: fieldPath),
                    encodedDefault: nil))
        }
        record.fields = fields
        record.fieldIndex = index
        record.fieldNames = fields.map(\.name)
        return .record(record)
    }

    private mutating func parseEnum(_ o: JSONObject, namespace: String?, path: Path) throws(AvroError) -> AvroType {
        let name = try makeName(o, enclosing: namespace, path: path)
        guard case .array(let symbolValues)? = o["symbols"] else {
            throw fail("enum \(name) needs a \"symbols\" array", path + [.field("symbols")])
        }
        var symbols: [String] = []
        var seen = Set<String>()
        for (i, value) in symbolValues.enumerated() {
            let symbolPath = path + [.field("symbols"), .index(i)]
            guard case .string(let s) = value, Self.isValidName(s) else { throw fail("invalid enum symbol", symbolPath) }
            guard seen.insert(s).inserted else { throw fail("duplicate enum symbol \"\(s)\"", symbolPath) }
            symbols.append(s)
        }
        let defaultSymbol = try optionalString(o, "default", path: path)
        if let defaultSymbol, !seen.contains(defaultSymbol) {
            throw fail("enum default \"\(defaultSymbol)\" is not a symbol", path + [.field("default")])
        }
        let e = AvroEnum(
            name: name, doc: try optionalString(o, "doc", path: path), aliases: try aliases(o, path: path),
            symbols: symbols, defaultSymbol: defaultSymbol)
        named[name.fullName] = .enumeration(e)
        return .enumeration(e)
    }

    private mutating func parseFixed(_ o: JSONObject, namespace: String?, path: Path) throws(AvroError) -> AvroType {
        let name = try makeName(o, enclosing: namespace, path: path)
        guard case .int(let size)? = o["size"], size >= 0, size <= Int64(Int32.max) else {
            throw fail("fixed \(name) needs a non-negative integer \"size\"", path + [.field("size")])
        }
        let logical = try logicalType(o, base: "fixed", fixedSize: Int(size), path: path)
        let f = AvroFixed(
            name: name, doc: try optionalString(o, "doc", path: path), aliases: try aliases(o, path: path),
            size: Int(size), logicalType: logical)
        named[name.fullName] = .fixed(f)
        return .fixed(f)
    }

    // MARK: - Logical types

    /// The logical type if present, known and valid for `base`. Per the specification, unknown
    /// or invalid logical types are ignored (the underlying type is used); only a non-string
    /// `logicalType` attribute is an error.
    private func logicalType(_ o: JSONObject, base: String, fixedSize: Int?, path: Path) throws(AvroError) -> AvroLogicalType? {
        guard let name = try optionalString(o, "logicalType", path: path) else { return nil }
        switch (name, base) {
        case ("decimal", "bytes"), ("decimal", "fixed"):
            guard case .int(let precision)? = o["precision"], precision > 0 else { return nil }
            var scale: Int64 = 0
            if let s = o["scale"] {
                guard case .int(let v) = s else { return nil }
                scale = v
            }
            guard scale >= 0, scale <= precision else { return nil }
            if let fixedSize {
                // Largest precision a two's-complement value of `size` bytes can hold:
                // floor(log10(2^(8*size-1) - 1)) == floor((8*size-1) * log10(2)) since 2^k is
                // never a power of ten.
                let maxPrecision = Int((Double(8 * fixedSize - 1) * 0.301_029_995_663_981_2).rounded(.down))
                guard precision <= Int64(maxPrecision) else { return nil }
            }
            return .decimal(precision: Int(precision), scale: Int(scale))
        case ("uuid", "string"): return .uuid
        case ("date", "int"): return .date
        case ("time-millis", "int"): return .timeMillis
        case ("time-micros", "long"): return .timeMicros
        case ("timestamp-millis", "long"): return .timestampMillis
        case ("timestamp-micros", "long"): return .timestampMicros
        case ("local-timestamp-millis", "long"): return .localTimestampMillis
        case ("local-timestamp-micros", "long"): return .localTimestampMicros
        case ("duration", "fixed") where fixedSize == 12: return .duration
        default: return nil
        }
    }

    // MARK: - Defaults

    /// Validates every field default against its type (a union default must match the first
    /// branch) and stores its binary encoding. Runs after parsing so every named type,
    /// including recursive references, is complete.
    mutating func finalizeDefaults() throws(AvroError) {
        for (record, path) in records {
            for i in record.fields.indices {
                guard let defaultValue = record.fields[i].defaultValue else { continue }
                var encoded: [UInt8] = []
                do {
                    try EncoderCore.forDefaults.encode(defaultValue, record.fields[i].type, &encoded, depth: 0)
                } catch {
                    let fieldPath = path + [.field("fields"), .index(i), .field("default")]
                    throw fail(
                        "invalid default for field \"\(record.fields[i].name)\" of \(record.name): \(error.message)"
                            + (error.pathComponents.isEmpty ? "" : " at \(error.path)"),
                        fieldPath)
                }
                record.fields[i].encodedDefault = encoded
            }
        }
    }
}
