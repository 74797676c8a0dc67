import AvroKit
import Logging
import PostgresNIO

/// A schema registry kept in Postgres (`schema_registry_schemas`, `schema_registry_subjects`), with Confluent's
/// id/version semantics: identical schemas (by Parsing Canonical Form) share one global id; each subject
/// numbers its versions from 1.
public struct EmbeddedSchemaRegistry: SchemaRegistry {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func register(subject: String, schemaJSON: String) async throws -> RegisteredSchema {
        let schema: AvroSchema
        do {
            schema = try AvroSchema(json: schemaJSON)
        } catch {
            throw SchemaRegistryError(.invalidSchema, "\(subject): \(error)")
        }
        let canonical = schema.canonicalForm
        let logger = self.logger
        let (id, version) = try await client.withTransaction(logger: logger) { connection -> (Int32, Int) in
            // Serialises registrations per subject so versions stay dense.
            _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(subject)))", logger: logger)
            var schemaID: Int32?
            for try await id in try await connection.query(
                """
                INSERT INTO schema_registry_schemas (canonical_form, schema_text) VALUES (\(canonical), \(schemaJSON))
                ON CONFLICT (canonical_form) DO UPDATE SET canonical_form = EXCLUDED.canonical_form
                RETURNING id
                """, logger: logger
            ).decode(Int32.self) {
                schemaID = id
            }
            guard let schemaID else { throw SchemaRegistryError(.unavailable, "schema insert returned no id") }
            for try await existing in try await connection.query(
                "SELECT version FROM schema_registry_subjects WHERE subject = \(subject) AND schema_id = \(schemaID)",
                logger: logger
            ).decode(Int.self) {
                return (schemaID, existing)
            }
            var next = 1
            for try await maxVersion in try await connection.query(
                "SELECT COALESCE(MAX(version), 0) FROM schema_registry_subjects WHERE subject = \(subject)",
                logger: logger
            ).decode(Int.self) {
                next = maxVersion + 1
            }
            _ = try await connection.query(
                "INSERT INTO schema_registry_subjects (subject, version, schema_id) VALUES (\(subject), \(next), \(schemaID))",
                logger: logger)
            return (schemaID, next)
        }
        return RegisteredSchema(id: id, version: version, schema: schema)
    }

    public func latest(subject: String) async throws -> RegisteredSchema {
        let rows = try await client.query(
            """
            SELECT s.id, v.version, s.schema_text FROM schema_registry_subjects v
            JOIN schema_registry_schemas s ON s.id = v.schema_id
            WHERE v.subject = \(subject) ORDER BY v.version DESC LIMIT 1
            """, logger: logger)
        for try await (id, version, text) in rows.decode((Int32, Int, String).self) {
            return RegisteredSchema(id: id, version: version, schema: try Self.parse(text, id: id))
        }
        throw SchemaRegistryError(.subjectNotFound, "no schema registered for subject \(subject)")
    }

    public func schema(id: Int32) async throws -> AvroSchema {
        let rows = try await client.query(
            "SELECT schema_text FROM schema_registry_schemas WHERE id = \(id)", logger: logger)
        for try await text in rows.decode(String.self) {
            return try Self.parse(text, id: id)
        }
        throw SchemaRegistryError(.schemaNotFound, "no schema with id \(id)")
    }

    private static func parse(_ text: String, id: Int32) throws -> AvroSchema {
        do {
            return try AvroSchema(json: text)
        } catch {
            throw SchemaRegistryError(.invalidSchema, "stored schema \(id) does not parse: \(error)")
        }
    }
}
