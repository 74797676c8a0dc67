import ArgumentParser

/// The admin tool: provisioning (migrations, topics, schemas) and developer conveniences (tokens, tailing topics).
/// Reads the same environment variables as the services (`eval "$(scripts/stack env)"`).
@main
struct Substrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "substrate",
        abstract: "Event Substrate administration.",
        subcommands: [Migrate.self, Topics.self, Schemas.self, Token.self, Tail.self])
}
