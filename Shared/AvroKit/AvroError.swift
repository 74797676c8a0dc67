/// An Avro schema, encoding or decoding failure.
///
/// Carries a machine-readable ``code``, the location of the offending value as a JSONPath-like
/// ``path`` (`$.payload.items[3].name`; map entries as `$.tags["key"]`; for schema errors the
/// path inside the schema JSON), a human ``message`` and, for binary decoding, the byte
/// ``offset`` where the problem was detected.
public struct AvroError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Error category. An open set of static constants (a struct rather than a public enum so
    /// new codes do not break exhaustive `switch`es in client code).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public var description: String { raw }

        /// A required record field is absent and has no default.
        public static let missingField = Code("missingField")
        /// The JSON value's kind does not fit the schema type.
        public static let typeMismatch = Code("typeMismatch")
        /// A number does not fit the schema type's range (int, long, float) or a fixed has the
        /// wrong size.
        public static let outOfRange = Code("outOfRange")
        /// An enum symbol not in the schema.
        public static let unknownSymbol = Code("unknownSymbol")
        /// A record object has a key that is not a field (with `UnknownFieldPolicy.reject`).
        public static let unknownField = Code("unknownField")
        /// The schema JSON is malformed or violates the Avro specification.
        public static let invalidSchema = Code("invalidSchema")
        /// Binary input ended in the middle of a datum.
        public static let truncated = Code("truncated")
        /// Binary input is malformed (bad varint, negative length, bad union index, invalid
        /// UTF-8, trailing bytes, ...).
        public static let invalidData = Code("invalidData")
        /// A Confluent wire-format frame is too short or has the wrong magic byte.
        public static let invalidFrame = Code("invalidFrame")
        /// A nesting or size limit was exceeded.
        public static let limitExceeded = Code("limitExceeded")
    }

    /// One step of a value path.
    public enum PathComponent: Sendable, Equatable {
        case field(String)
        case index(Int)
        case key(String)
    }

    /// Error category.
    public let code: Code
    /// Human-readable explanation.
    public let message: String
    /// Byte offset into the binary input (decoding only).
    public let offset: Int?
    /// Path components innermost-first: containers append their component while the error
    /// propagates outwards, which is O(depth) and free on the success path.
    private var reversedPath: [PathComponent]

    public init(_ code: Code, _ message: String, offset: Int? = nil, path: [PathComponent] = []) {
        self.code = code
        self.message = message
        self.offset = offset
        self.reversedPath = path.reversed()
    }

    /// Path components outermost-first.
    public var pathComponents: [PathComponent] { reversedPath.reversed() }

    /// The rendered path, e.g. `$.payload.items[3].name`.
    public var path: String {
        var s = "$"
        for component in reversedPath.reversed() {
            switch component {
            case .field(let name): s += "." + name
            case .index(let i): s += "[\(i)]"
            case .key(let k): s += "[" + JSONValue.string(k).jsonString() + "]"
            }
        }
        return s
    }

    /// The same error nested one level deeper: `component` becomes the new outermost step.
    func within(_ component: PathComponent) -> AvroError {
        var copy = self
        copy.reversedPath.append(component)
        return copy
    }

    public var description: String {
        var s = "\(code) at \(path): \(message)"
        if let offset { s += " (byte \(offset))" }
        return s
    }
}
