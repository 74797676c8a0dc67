import Foundation
import Shared
import Testing

@Suite("Splitting migration scripts into statements")
struct SQLScriptTests {
    @Test("semicolons inside literals, identifiers, comments and dollar quotes do not split")
    func quoting() {
        let script = """
            -- leading comment; with a semicolon
            CREATE TABLE "odd;name" (a text DEFAULT 'x;y''z');
            /* block; comment */ INSERT INTO t VALUES ('a');
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('c', 'x;y');
                RETURN NEW;
            END;
            $$;
            CREATE FUNCTION g() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            SELECT $1::int;
            -- trailing comment only
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 5)
        #expect(statements[0].hasSuffix(#"CREATE TABLE "odd;name" (a text DEFAULT 'x;y''z')"#))
        #expect(statements[1].hasSuffix("INSERT INTO t VALUES ('a')"))
        #expect(statements[2].contains("RETURN NEW;\nEND;\n$$"))
        #expect(statements[3].contains("$body$ SELECT 1; $body$"))
        #expect(statements[4] == "SELECT $1::int")
    }

    @Test("the project's migrations split into non-empty statements")
    func projectMigrations() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let migrator = try Migrator(directory: root.appendingPathComponent("migrations").path)
        #expect(!migrator.migrations.isEmpty)
        for migration in migrator.migrations {
            let statements = SQLScript.statements(migration.sql)
            #expect(!statements.isEmpty)
            #expect(statements.allSatisfy { !$0.isEmpty })
        }
    }
}
