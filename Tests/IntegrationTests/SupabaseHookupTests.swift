import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The optional Supabase migration, on a database of its own: skipped (and not recorded) without an `auth` schema;
/// once Supabase's parts exist it installs the pg_net triggers and the row-level security. Supabase itself cannot
/// run here, so its parts are stood in for by the smallest faithful equivalents: `auth.users`/`auth.sessions` with
/// the columns the triggers read, `auth.uid()` reading the request's JWT claims as Supabase's does, the roles
/// `anon`/`authenticated`, Vault's `decrypted_secrets`, and a `net.http_post` with pg_net's signature that records
/// each request instead of sending it.
@Suite("Supabase hook-up migration")
struct SupabaseHookupTests {
    static let supabaseStandIns = [
        """
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
        END $$
        """,
        "CREATE SCHEMA auth",
        """
        CREATE TABLE auth.users (id uuid PRIMARY KEY, email text, created_at timestamptz DEFAULT now(),
            last_sign_in_at timestamptz, raw_user_meta_data jsonb DEFAULT '{}')
        """,
        "CREATE TABLE auth.sessions (id uuid PRIMARY KEY, user_id uuid REFERENCES auth.users, user_agent text, ip inet)",
        """
        CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
            SELECT nullif(current_setting('request.jwt.claims', true)::jsonb ->> 'sub', '')::uuid
        $$
        """,
        "GRANT USAGE ON SCHEMA auth TO anon, authenticated",
        // Supabase's default privileges: the API roles may do anything the row-level security allows.
        "GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated",
        "CREATE SCHEMA vault",
        "CREATE TABLE vault.decrypted_secrets (name text, decrypted_secret text)",
        "INSERT INTO vault.decrypted_secrets VALUES ('webhook_secret', 'vault-webhook-secret')",
        "CREATE SCHEMA net",
        "CREATE TABLE net.sent (id bigserial PRIMARY KEY, url text, body jsonb, headers jsonb)",
        """
        CREATE FUNCTION net.http_post(url text, body jsonb DEFAULT '{}', params jsonb DEFAULT '{}',
            headers jsonb DEFAULT '{"Content-Type": "application/json"}', timeout_milliseconds int DEFAULT 5000)
        RETURNS bigint LANGUAGE sql AS $$
            INSERT INTO net.sent (url, body, headers) VALUES (url, body, headers) RETURNING id
        $$
        """,
    ]

    @Test("skipped without an auth schema; with one: webhooks on signup, login and signout, and row-level security")
    func hookup() async throws {
        let database = "supabase_\(UUID().uuidString.prefix(8).lowercased())"
        try await TestEnvironment.withPostgres { admin in
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"), logger: TestEnvironment.logger)
        }
        var configuration = try TestEnvironment.settings().postgres
        configuration.database = database
        do {
            try await PostgresClient.withRunning(configuration: configuration, logger: TestEnvironment.logger) { client in
                try await Self.verify(client, database: database)
            }
        } catch {
            try? await Self.drop(database)
            throw error
        }
        try await Self.drop(database)
    }

    static func drop(_ database: String) async throws {
        try await TestEnvironment.withPostgres { admin in
            _ = try await admin.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"), logger: TestEnvironment.logger)
        }
    }

    static func verify(_ client: PostgresClient, database: String) async throws {
        let logger = TestEnvironment.logger
        let migrator = try Migrator(directory: "\(TestEnvironment.repositoryRoot)/migrations")
        let hookup = "0005_supabase_hookup"

        // A plain Postgres: everything else applies, the hook-up is skipped and not recorded.
        let first = try await migrator.migrate(client: client, logger: logger)
        #expect(!first.contains(hookup) && first.contains("0001_user_tables"))
        #expect(try await client.scalar("SELECT count(*)::int FROM schema_migrations WHERE version = \(hookup)") == 0)

        // Supabase's parts appear; the next run applies the hook-up, the one after that nothing.
        for statement in supabaseStandIns { _ = try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
        _ = try await client.query(
            PostgresQuery(unsafeSQL: "ALTER DATABASE \(database) SET substrate.gateway_url = 'http://gateway:8080/'"), logger: logger)
        #expect(try await migrator.migrate(client: client, logger: logger) == [hookup])
        #expect(try await migrator.migrate(client: client, logger: logger).isEmpty)

        try await client.withConnection { connection in
            // The database setting applies to new sessions; this one takes it explicitly.
            _ = try await connection.query("SELECT set_config('substrate.gateway_url', 'http://gateway:8080/', false)", logger: logger)
            let ana = UUID().uuidString.lowercased()
            _ = try await connection.query(
                "INSERT INTO auth.users (id, email, created_at) VALUES (\(ana)::uuid, 'ana@example.com', '2026-11-23T10:00:00Z')",
                logger: logger)
            _ = try await connection.query(
                """
                UPDATE auth.users SET last_sign_in_at = '2026-11-23T10:05:00Z',
                    raw_user_meta_data = '{"user_agent": "Firefox"}' WHERE id = \(ana)::uuid
                """, logger: logger)
            _ = try await connection.query("UPDATE auth.users SET email = 'ana@example.org' WHERE id = \(ana)::uuid", logger: logger)
            let session = UUID().uuidString.lowercased()
            _ = try await connection.query(
                "INSERT INTO auth.sessions VALUES (\(session)::uuid, \(ana)::uuid, 'Firefox', '203.0.113.7')", logger: logger)
            _ = try await connection.query("DELETE FROM auth.sessions WHERE id = \(session)::uuid", logger: logger)

            var sent: [(String, String, String)] = []
            for try await row in try await connection.query(
                "SELECT url, body::text, headers::text FROM net.sent ORDER BY id", logger: logger
            ).decode((String, String, String).self) { sent.append(row) }
            // Signup, one login (the email change is not a sign-in), signout.
            #expect(sent.map(\.0) == ["http://gateway:8080/webhooks/signup", "http://gateway:8080/webhooks/login", "http://gateway:8080/webhooks/signout"])
            let bodies = try sent.map { try JSONSerialization.jsonObject(with: Data($0.1.utf8)) as? [String: Any] ?? [:] }
            let headers = try sent.map { try JSONSerialization.jsonObject(with: Data($0.2.utf8)) as? [String: String] ?? [:] }
            #expect(headers.allSatisfy { $0["X-Webhook-Secret"] == "vault-webhook-secret" && $0["Content-Type"] == "application/json" })
            #expect(bodies[0]["user_id"] as? String == ana && bodies[0]["email"] as? String == "ana@example.com")
            #expect(bodies[0]["signup_time"] as? String == "2026-11-23T10:00:00.000000Z")
            #expect(bodies[1]["login_time"] as? String == "2026-11-23T10:05:00.000000Z" && bodies[1]["user_agent"] as? String == "Firefox")
            #expect(bodies[2]["email"] as? String == "ana@example.org" && bodies[2]["ip_address"] as? String == "203.0.113.7")
            #expect(bodies[2]["signout_time"] as? String != nil && bodies[2]["user_agent"] as? String == "Firefox")

            // Without a configured gateway nothing is sent, and the sign-in itself still succeeds.
            _ = try await connection.query("SELECT set_config('substrate.gateway_url', '', false)", logger: logger)
            _ = try await connection.query("UPDATE auth.users SET last_sign_in_at = now() WHERE id = \(ana)::uuid", logger: logger)
            #expect(try await connection.scalar("SELECT count(*)::int FROM net.sent") == 3)
        }
        try await verifyRowLevelSecurity(client)
    }

    /// What an API client signed in as `ana` can read, as PostgREST would run it (role `authenticated`, JWT claims).
    static func verifyRowLevelSecurity(_ client: PostgresClient) async throws {
        let logger = TestEnvironment.logger
        let ana = UUID().uuidString.lowercased()
        let ben = UUID().uuidString.lowercased()
        _ = try await client.query(
            """
            INSERT INTO user_notifications (user_id, event_type, payload, event_time, visibility, recipient_id, source_event_id)
            VALUES (\(ana), 'identity.login', '{}', 'now', 'private', NULL, 'e1'),
                   (\(ben), 'identity.login', '{}', 'now', 'private', NULL, 'e2'),
                   (\(ben), 'user.message', '{}', 'now', 'broadcast', NULL, 'e3'),
                   (\(ben), 'user.message', '{}', 'now', 'direct', \(ana), 'e4'),
                   (\(ben), 'user.message', '{}', 'now', 'direct', \(ben), 'e5')
            """, logger: logger)
        _ = try await client.query(
            """
            INSERT INTO media_files (user_id, file_name, file_path, file_size, media_type, status, upload_time)
            VALUES (\(ana), 'a.png', 'files/a/1', 1, 'image/png', 'active', 'now'),
                   (\(ana), 'b.png', 'files/a/2', 1, 'image/png', 'deleted', 'now'),
                   (\(ben), 'c.png', 'files/b/1', 1, 'image/png', 'active', 'now')
            """, logger: logger)
        _ = try await client.query(
            """
            INSERT INTO credit_ledger (user_id, amount, event_type, event_time, cause_id)
            VALUES (\(ana), 2, 'credit.signup_bonus', 'now', \(ana)), (\(ben), 2, 'credit.signup_bonus', 'now', \(ben))
            """, logger: logger)
        try await client.withConnection { connection in
            try await connection.withTransaction(logger: logger) { transaction in
                _ = try await transaction.query("SET LOCAL ROLE authenticated", logger: logger)
                _ = try await transaction.query(
                    "SELECT set_config('request.jwt.claims', \("{\"sub\": \"\(ana)\", \"role\": \"authenticated\"}"), true)",
                    logger: logger)
                // Own login, the broadcast, the direct message to ana — not ben's login nor ben's note to himself.
                #expect(try await transaction.scalar("SELECT count(*)::int FROM user_notifications") == 3)
                #expect(try await transaction.scalar("SELECT count(*)::int FROM media_files") == 1)
                #expect(try await transaction.scalar("SELECT count(*)::int FROM credit_ledger") == 1)
                #expect(try await transaction.scalar("SELECT count(*)::int FROM user_credit_balances") == 1)
                _ = try await transaction.query("SAVEPOINT attempt", logger: logger)
                await #expect(throws: PSQLError.self) {
                    _ = try await transaction.query(
                        "INSERT INTO user_notifications (user_id, event_type, event_time, source_event_id) VALUES (\(ana), 'x.y', 'now', 'forged')",
                        logger: logger)
                }
                _ = try await transaction.query("ROLLBACK TO SAVEPOINT attempt", logger: logger)
                await #expect(throws: PSQLError.self) {
                    _ = try await transaction.query("SELECT count(*) FROM consumer_offsets", logger: logger)
                }
                _ = try await transaction.query("ROLLBACK TO SAVEPOINT attempt", logger: logger)
            }
        }
    }
}

extension PostgresClient {
    fileprivate func scalar(_ query: PostgresQuery) async throws -> Int {
        for try await value in try await self.query(query, logger: TestEnvironment.logger).decode(Int.self) { return value }
        return 0
    }
}

extension PostgresConnection {
    fileprivate func scalar(_ query: PostgresQuery) async throws -> Int {
        for try await value in try await self.query(query, logger: TestEnvironment.logger).decode(Int.self) { return value }
        return 0
    }
}
