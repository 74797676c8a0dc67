import AvroKit

/// A schema as registered: its global id (what Confluent framing carries) and, under a subject, its version.
public struct RegisteredSchema: Sendable {
    public var id: Int32
    public var version: Int?
    public var schema: AvroSchema
}

/// Confluent schema-registry semantics behind one interface, so the same services run against the embedded
/// registry (Postgres) and Redpanda's/Confluent's REST registry.
public protocol SchemaRegistry: Sendable {
    /// Registers `schemaJSON` under `subject`; registering a schema the subject already has returns it unchanged.
    func register(subject: String, schemaJSON: String) async throws -> RegisteredSchema
    /// The newest version of a subject.
    func latest(subject: String) async throws -> RegisteredSchema
    /// The schema with a global id (the writer schema of a framed record).
    func schema(id: Int32) async throws -> AvroSchema
}

/// Registry failures.
public struct SchemaRegistryError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public var description: String { raw }
        public static let subjectNotFound = Code("subject_not_found")
        public static let schemaNotFound = Code("schema_not_found")
        public static let invalidSchema = Code("invalid_schema")
        public static let unavailable = Code("registry_unavailable")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "SchemaRegistryError(\(code)): \(message)" }
}

/// The Confluent subject for a topic's record values (TopicNameStrategy).
public func valueSubject(forTopic topic: String) -> String { "\(topic)-value" }
