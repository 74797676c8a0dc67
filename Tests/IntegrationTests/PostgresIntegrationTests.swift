import AvroKit
import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

@Suite("Postgres: migrations and the embedded schema registry", .serialized, .timeLimit(.minutes(2)))
struct PostgresIntegrationTests {
    @Test("the migrator applies each file once; a second run changes nothing")
    func migrateTwice() async throws {
        try await TestEnvironment.withPostgres { client in
            let migrator = try Migrator(directory: "\(TestEnvironment.repositoryRoot)/migrations")
            #expect(migrator.migrations.count >= 2)
            _ = try await migrator.migrate(client: client, logger: TestEnvironment.logger)
            let before = try await Self.schemaSnapshot(client)
            let second = try await migrator.migrate(client: client, logger: TestEnvironment.logger)
            #expect(second.isEmpty)
            #expect(try await Self.schemaSnapshot(client) == before)
            for table in ["user_notifications", "credit_ledger", "credit_balances", "media_files", "consumer_offsets", "outbox",
                "saga_state", "saga_timers", "schema_registry_schemas", "schema_registry_subjects"] {
                #expect(before.contains { $0.hasPrefix("\(table).") }, "missing table \(table)")
            }
        }
    }

    @Test("a changed migration that was already applied is refused")
    func changedMigration() async throws {
        try await TestEnvironment.withPostgres { client in
            let version = TestEnvironment.uniqueName("9999_test").replacingOccurrences(of: "-", with: "_")
            let original = Migrator(migrations: [.init(version: version, sql: "SELECT 1;")])
            #expect(try await original.migrate(client: client, logger: TestEnvironment.logger) == [version])
            let changed = Migrator(migrations: [.init(version: version, sql: "SELECT 2;")])
            await #expect(throws: Migrator.MigrationError.self) {
                try await changed.migrate(client: client, logger: TestEnvironment.logger)
            }
            _ = try await client.query("DELETE FROM schema_migrations WHERE version = \(version)", logger: TestEnvironment.logger)
        }
    }

    @Test("a failing migration rolls back entirely")
    func failingMigration() async throws {
        try await TestEnvironment.withPostgres { client in
            let version = TestEnvironment.uniqueName("9998_bad").replacingOccurrences(of: "-", with: "_")
            let table = "bad_" + version.replacingOccurrences(of: "9998_", with: "")
            let bad = Migrator(migrations: [.init(version: version, sql: "CREATE TABLE \(table) (id int); SELECT * FROM no_such_table;")])
            await #expect(throws: Migrator.MigrationError.self) {
                try await bad.migrate(client: client, logger: TestEnvironment.logger)
            }
            var exists = true
            for try await found in try await client.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: TestEnvironment.logger).decode(Bool.self) {
                exists = found
            }
            #expect(!exists)
        }
    }

    @Test("embedded registry: same schema → same id and version, new schema → next version, lookups by id")
    func embeddedRegistry() async throws {
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            let registry = EmbeddedSchemaRegistry(client: client, logger: TestEnvironment.logger)
            let subject = TestEnvironment.uniqueName("it.registry") + "-value"
            let name = "R" + UUID().uuidString.prefix(8).filter(\.isLetter)
            let v1 = #"{"type":"record","name":"\#(name)","fields":[{"name":"a","type":"string"}]}"#
            let v1Reformatted = #"{ "name": "\#(name)", "type": "record", "doc": "same canonical form", "fields": [ {"type": "string", "name": "a"} ] }"#
            let v2 = #"{"type":"record","name":"\#(name)","fields":[{"name":"a","type":"string"},{"name":"b","type":["null","long"],"default":null}]}"#

            let first = try await registry.register(subject: subject, schemaJSON: v1)
            #expect(first.version == 1)
            let again = try await registry.register(subject: subject, schemaJSON: v1Reformatted)
            #expect(again.id == first.id && again.version == 1)
            let second = try await registry.register(subject: subject, schemaJSON: v2)
            #expect(second.version == 2 && second.id != first.id)

            let latest = try await registry.latest(subject: subject)
            #expect(latest.id == second.id && latest.version == 2)
            #expect(try await registry.schema(id: first.id).canonicalForm == first.schema.canonicalForm)

            // The same schema under another subject shares the global id, with its own version 1.
            let other = try await registry.register(subject: subject + "-copy", schemaJSON: v1)
            #expect(other.id == first.id && other.version == 1)

            await #expect(throws: SchemaRegistryError.self) { try await registry.latest(subject: "no-such-subject-value") }
            await #expect(throws: SchemaRegistryError.self) { try await registry.schema(id: Int32.max) }
            await #expect(throws: SchemaRegistryError.self) { try await registry.register(subject: subject, schemaJSON: "{") }
        }
    }

    @Test("every schema in avro/ registers, and concurrent registrations agree on one version")
    func catalogRegistration() async throws {
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            let registry = EmbeddedSchemaRegistry(client: client, logger: TestEnvironment.logger)
            let catalog = try AvroCatalog(directory: "\(TestEnvironment.repositoryRoot)/avro")
            #expect(catalog.entries.count == 26)  // the reference's 25 plus public.credit.balance_changed.events
            #expect(catalog.topics.contains("internal.media.upload.dead-letter"))
            for entry in catalog.entries {
                _ = try await registry.register(subject: entry.subject, schemaJSON: entry.schemaJSON)
            }
            let subject = TestEnvironment.uniqueName("it.concurrent") + "-value"
            let schema = #"{"type":"record","name":"C\#(UUID().uuidString.prefix(6).filter(\.isLetter))","fields":[]}"#
            let results = try await withThrowingTaskGroup(of: RegisteredSchema.self) { group in
                for _ in 0..<8 { group.addTask { try await registry.register(subject: subject, schemaJSON: schema) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.id)).count == 1)
            #expect(Set(results.compactMap(\.version)) == [1])
        }
    }

    static func schemaSnapshot(_ client: PostgresClient) async throws -> [String] {
        var columns: [String] = []
        let rows = try await client.query(
            """
            SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns
            WHERE table_schema = 'public' ORDER BY 1
            """, logger: TestEnvironment.logger)
        for try await column in rows.decode(String.self) { columns.append(column) }
        return columns
    }
}
