/// One node of a parsed Avro schema, with named-type references already resolved.
///
/// Named types (record, enum, fixed) are reference types so that a recursive schema refers to
/// the same node instead of expanding forever, and so that copying an `AvroType` is cheap.
/// Logical types annotate their underlying primitive; `nil` means no (or an ignored) logical type.
public indirect enum AvroType: Sendable {
    case null
    case boolean
    /// `int`; logical types `date`, `time-millis`.
    case int(AvroLogicalType?)
    /// `long`; logical types `time-micros`, `timestamp-*`, `local-timestamp-*`.
    case long(AvroLogicalType?)
    case float
    case double
    /// `bytes`; logical type `decimal`.
    case bytes(AvroLogicalType?)
    /// `string`; logical type `uuid`.
    case string(AvroLogicalType?)
    case record(AvroRecord)
    case enumeration(AvroEnum)
    case array(AvroType)
    case map(AvroType)
    case union(AvroUnion)
    /// `fixed`; logical types `decimal`, `duration` (see ``AvroFixed/logicalType``).
    case fixed(AvroFixed)
}

extension AvroType {
    /// The name that identifies this type inside a union and in Avro's JSON encoding: the
    /// primitive or complex type name (`"int"`, `"array"`, ...) or a named type's full name.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .int: "int"
        case .long: "long"
        case .float: "float"
        case .double: "double"
        case .bytes: "bytes"
        case .string: "string"
        case .record(let r): r.name.fullName
        case .enumeration(let e): e.name.fullName
        case .array: "array"
        case .map: "map"
        case .union: "union"
        case .fixed(let f): f.name.fullName
        }
    }

    /// The logical type annotation, if any.
    public var logicalType: AvroLogicalType? {
        switch self {
        case .int(let l), .long(let l), .bytes(let l), .string(let l): l
        case .fixed(let f): f.logicalType
        default: nil
        }
    }
}

/// Avro logical types (specification 1.11, "Logical Types").
public enum AvroLogicalType: Sendable, Equatable {
    case decimal(precision: Int, scale: Int)
    case uuid
    case date
    case timeMillis
    case timeMicros
    case timestampMillis
    case timestampMicros
    case localTimestampMillis
    case localTimestampMicros
    case duration

    /// The `logicalType` attribute spelling.
    public var name: String {
        switch self {
        case .decimal: "decimal"
        case .uuid: "uuid"
        case .date: "date"
        case .timeMillis: "time-millis"
        case .timeMicros: "time-micros"
        case .timestampMillis: "timestamp-millis"
        case .timestampMicros: "timestamp-micros"
        case .localTimestampMillis: "local-timestamp-millis"
        case .localTimestampMicros: "local-timestamp-micros"
        case .duration: "duration"
        }
    }
}

/// A named type's name: short name plus optional namespace.
public struct AvroName: Sendable, Hashable, CustomStringConvertible {
    /// The unqualified name (last dotted component).
    public let name: String
    /// The namespace, `nil` for the null namespace.
    public let namespace: String?

    public init(name: String, namespace: String?) {
        self.name = name
        self.namespace = namespace
    }

    /// `namespace.name`, or `name` in the null namespace.
    public var fullName: String {
        if let namespace { return namespace + "." + name }
        return name
    }

    public var description: String { fullName }
}

/// A record field.
public struct AvroField: Sendable {
    /// Field name.
    public let name: String
    /// Field type.
    public let type: AvroType
    /// The `default` attribute as written in the schema (already validated against ``type``).
    public let defaultValue: JSONValue?
    /// The `doc` attribute.
    public let doc: String?
    /// The `aliases` attribute (parsed, not used for resolution).
    public let aliases: [String]
    /// Binary encoding of ``defaultValue``, precomputed so a missing field costs one append.
    var encodedDefault: [UInt8]?
}

/// A record type.
///
/// `@unchecked Sendable`: ``fields`` is assigned exactly once, by the schema parser, before the
/// schema is returned to any caller (it must be mutable only because a recursive record's
/// fields refer back to the record itself). After `AvroSchema` initialisation the object is
/// immutable and safe to share across threads.
/// Note: a recursive record holds a strong reference cycle through its fields; recursive schemas
/// are meant to be parsed once and cached for the life of the process.
public final class AvroRecord: @unchecked Sendable {
    public let name: AvroName
    public let doc: String?
    public let aliases: [String]
    /// Fields in schema order.
    public internal(set) var fields: [AvroField] = []
    /// Field name → index into ``fields``.
    public internal(set) var fieldIndex: [String: Int] = [:]
    /// Field names in order (shared by every decoded object, so decoding copies no strings).
    internal var fieldNames: [String] = []

    init(name: AvroName, doc: String?, aliases: [String]) {
        self.name = name
        self.doc = doc
        self.aliases = aliases
    }

    /// The field called `name`, if any.
    public func field(named name: String) -> AvroField? {
        fieldIndex[name].map { fields[$0] }
    }

    /// Whether the record has a field called `name` (without copying the field).
    public func hasField(named name: String) -> Bool {
        fieldIndex[name] != nil
    }
}

/// An enum type.
public final class AvroEnum: Sendable {
    public let name: AvroName
    public let doc: String?
    public let aliases: [String]
    /// Symbols in schema order; the binary encoding is the index.
    public let symbols: [String]
    /// The `default` symbol (used by readers for schema resolution; not by the encoder).
    public let defaultSymbol: String?
    /// Symbol → index.
    public let symbolIndex: [String: Int]

    init(name: AvroName, doc: String?, aliases: [String], symbols: [String], defaultSymbol: String?) {
        self.name = name
        self.doc = doc
        self.aliases = aliases
        self.symbols = symbols
        self.defaultSymbol = defaultSymbol
        var index: [String: Int] = [:]
        for (i, s) in symbols.enumerated() { index[s] = i }
        self.symbolIndex = index
    }
}

/// A fixed type.
public final class AvroFixed: Sendable {
    public let name: AvroName
    public let doc: String?
    public let aliases: [String]
    /// Size in bytes.
    public let size: Int
    /// `decimal` or `duration`, if present and valid.
    public let logicalType: AvroLogicalType?

    init(name: AvroName, doc: String?, aliases: [String], size: Int, logicalType: AvroLogicalType?) {
        self.name = name
        self.doc = doc
        self.aliases = aliases
        self.size = size
        self.logicalType = logicalType
    }
}

/// A union type.
public final class AvroUnion: Sendable {
    /// Branches in schema order; the binary encoding is the branch index.
    public let branches: [AvroType]
    /// Index of the `null` branch, if any.
    public let nullIndex: Int?
    /// Branch ``AvroType/typeName`` → index, for Avro-JSON style `{"branch": value}` input.
    public let branchIndex: [String: Int]

    init(branches: [AvroType]) {
        self.branches = branches
        var index: [String: Int] = [:]
        var nullIndex: Int?
        for (i, b) in branches.enumerated() {
            index[b.typeName] = i
            if case .null = b { nullIndex = i }
        }
        self.branchIndex = index
        self.nullIndex = nullIndex
    }
}
