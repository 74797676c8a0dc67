import ArgumentParser
import Shared

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending SQL migrations (each once, in order).")

    @Option(help: "Directory of ordered .sql files.")
    var directory = "migrations"

    func run() async throws {
        let context = try AdminContext()
        let migrator = try Migrator(directory: directory)
        let logger = context.logger
        let applied = try await context.withPostgres { client in
            try await migrator.migrate(client: client, logger: logger)
        }
        print(applied.isEmpty ? "migrations: up to date (\(migrator.migrations.count) known)" : "migrations applied: \(applied.joined(separator: ", "))")
    }
}
