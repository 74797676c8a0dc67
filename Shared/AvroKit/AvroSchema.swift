/// A parsed, validated Avro schema (specification 1.11).
///
/// Parse once and share: the value is immutable and `Sendable`. Named-type references are
/// resolved, field defaults are validated (and pre-encoded), and the Parsing Canonical Form and
/// its CRC-64-AVRO fingerprint are computed at initialisation.
public struct AvroSchema: Sendable {
    /// The top-level type.
    public let root: AvroType
    /// Every named type defined in the schema, by full name.
    public let namedTypes: [String: AvroType]
    /// The Parsing Canonical Form (specification, "Parsing Canonical Form for Schemas").
    public let canonicalForm: String
    /// CRC-64-AVRO (Rabin) fingerprint of ``canonicalForm``, as used by Avro single-object encoding.
    public let fingerprint: UInt64

    /// Parses schema JSON text. JSON syntax errors and specification violations are
    /// ``AvroError/Code/invalidSchema`` errors whose path locates the problem in the schema.
    public init(json: String) throws(AvroError) {
        try self.init(jsonBytes: json.utf8)
    }

    /// Parses schema JSON from UTF-8 bytes.
    public init(jsonBytes: some Collection<UInt8>) throws(AvroError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(jsonBytes)
        } catch {
            throw AvroError(.invalidSchema, "schema is not valid JSON: \(error.reason)", offset: error.offset)
        }
        try self.init(value)
    }

    /// Builds a schema from an already-parsed JSON value.
    public init(_ json: JSONValue) throws(AvroError) {
        var parser = AvroSchemaParser()
        root = try parser.parse(json, namespace: nil, path: [])
        try parser.finalizeDefaults()
        namedTypes = parser.named
        canonicalForm = AvroCanonicalForm.render(root)
        fingerprint = AvroFingerprint.crc64Avro(canonicalForm.utf8)
    }

    /// The named type (record, enum, fixed) with this full name.
    public func namedType(_ fullName: String) -> AvroType? {
        namedTypes[fullName]
    }
}
