import ArgumentParser
import Shared

struct Schemas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Schema registry administration.", subcommands: [Register.self])

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register every .avsc as <topic>-value (idempotent; a changed schema becomes a new version).")

        @Option(help: "Directory of Avro schemas.")
        var directory = "avro"

        func run() async throws {
            let context = try AdminContext()
            let catalog = try AvroCatalog(directory: directory)
            let lines = try await context.withRegistry { registry in
                var lines: [String] = []
                for entry in catalog.entries {
                    let registered = try await registry.register(subject: entry.subject, schemaJSON: entry.schemaJSON)
                    lines.append("\(entry.subject) id=\(registered.id) version=\(registered.version.map(String.init) ?? "?")")
                }
                return lines
            }
            lines.forEach { print($0) }
        }
    }
}
