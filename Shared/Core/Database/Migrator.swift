import Foundation
import Logging
import PostgresNIO

/// Applies the ordered SQL files of `migrations/` once each, each in its own transaction, recording them in
/// `schema_migrations`. A session advisory lock makes concurrent migrators (several services starting at once)
/// take turns; a changed file that was already applied is an error rather than silently skipped.
///
/// A migration can depend on a schema another system owns: a line `-- substrate:requires-schema <name>` makes the
/// migrator skip it, without recording it, while that schema does not exist (the Supabase hook-up needs `auth`), so a
/// later run applies it once the schema is there.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        /// The file name without `.sql`, e.g. `0001_user_tables`; ordering is by this name.
        public var version: String
        public var sql: String
        public init(version: String, sql: String) {
            self.version = version
            self.sql = sql
        }

        public var checksum: String { sha256Hex(sql.utf8) }

        /// The schemas named by `-- substrate:requires-schema <name>` lines.
        public var requiredSchemas: [String] {
            let marker = "-- substrate:requires-schema "
            return sql.split(separator: "\n").compactMap { line in
                guard line.hasPrefix(marker) else { return nil }
                return line.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
            }
        }
    }

    public struct MigrationError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let migrations: [Migration]

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Loads every `*.sql` file of a directory (not recursive).
    public init(directory: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
        let migrations = try names.map { name in
            Migration(
                version: String(name.dropLast(4)),
                sql: try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8))
        }
        self.init(migrations: migrations)
    }

    /// Applies what is missing; returns the versions applied by this call.
    @discardableResult
    public func migrate(client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            // Fixed key ("substrate" in ASCII), held for the session: concurrent migrators (several services
            // starting at once) take turns, including for creating the bookkeeping table itself.
            _ = try await connection.query("SELECT pg_advisory_lock(7310575458770658661)", logger: logger)
            do {
                _ = try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                let applied = try await apply(on: connection, logger: logger)
                _ = try await connection.query("SELECT pg_advisory_unlock(7310575458770658661)", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(7310575458770658661)", logger: logger)
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        var known: [String: String] = [:]
        for try await (version, checksum) in try await connection.query(
            "SELECT version, checksum FROM schema_migrations", logger: logger
        ).decode((String, String).self) {
            known[version] = checksum
        }
        var applied: [String] = []
        for migration in migrations {
            if let checksum = known[migration.version] {
                guard checksum == migration.checksum else {
                    throw MigrationError(
                        description: "migration \(migration.version) changed after it was applied; add a new migration instead")
                }
                continue
            }
            if let missing = try await firstMissingSchema(migration.requiredSchemas, on: connection, logger: logger) {
                logger.info(
                    "skipping migration until its schema exists",
                    metadata: ["version": "\(migration.version)", "schema": "\(missing)"])
                continue
            }
            logger.info("applying migration", metadata: ["version": "\(migration.version)"])
            do {
                try await connection.withTransaction(logger: logger) { transaction in
                    for statement in SQLScript.statements(migration.sql) {
                        _ = try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    _ = try await transaction.query(
                        "INSERT INTO schema_migrations (version, checksum) VALUES (\(migration.version), \(migration.checksum))",
                        logger: logger)
                }
            } catch {
                throw MigrationError(description: "migration \(migration.version) failed: \(String(reflecting: error))")
            }
            applied.append(migration.version)
        }
        return applied
    }

    private func firstMissingSchema(_ schemas: [String], on connection: PostgresConnection, logger: Logger) async throws
        -> String?
    {
        for schema in schemas {
            let rows = try await connection.query(
                "SELECT count(*)::int FROM pg_namespace WHERE nspname = \(schema)", logger: logger)
            for try await count in rows.decode(Int.self) where count == 0 { return schema }
        }
        return nil
    }
}
