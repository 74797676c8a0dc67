import ArgumentParser
import KafkaKit
import Shared

struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Topic administration.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create one topic per .avsc file (idempotent).")

        @Option(help: "Directory of Avro schemas; the path below it names the topic.")
        var directory = "avro"

        @Option(help: "Partitions per topic.")
        var partitions: Int32 = 3

        @Option(help: "Replication factor.")
        var replicationFactor: Int32 = 1

        @Option(name: .customLong("extra"), help: "Additional topic names (e.g. dead-letter topics without a schema).")
        var extraTopics: [String] = []

        func run() async throws {
            let context = try AdminContext()
            let catalog = try AvroCatalog(directory: directory)
            let admin = try KafkaAdmin(client: context.settings.kafka, logger: context.logger)
            let specs = (catalog.topics + extraTopics).map {
                KafkaTopicSpecification(name: $0, partitions: partitions, replicationFactor: replicationFactor)
            }
            let outcomes = try await admin.createTopics(specs)
            let created = outcomes.filter { $0.value == .created }.count
            print("topics: \(created) created, \(outcomes.count - created) already existed")
        }
    }
}
