import Foundation
import KafkaKit
import PostgresNIO
import Shared

/// Brings the test stack to the state `scripts/run` leaves the dev stack in: migrations applied, every schema of
/// `avro/` registered (embedded registry), every topic created. Done once per test process.
public actor Provisioning {
    public static let shared = Provisioning()
    private var work: Task<Void, any Error>?

    /// Provisions once; concurrent callers wait for the same work.
    public func ensure() async throws {
        if work == nil { work = Task { try await Self.provision() } }
        try await work!.value
    }

    private static func provision() async throws {
        let settings = try TestEnvironment.settings()
        let catalog = try AvroCatalog(directory: "\(TestEnvironment.repositoryRoot)/avro")
        try await TestEnvironment.withPostgres { client in
            try await TestEnvironment.migrate(client)
            let registry = EmbeddedSchemaRegistry(client: client, logger: TestEnvironment.logger)
            for entry in catalog.entries { _ = try await registry.register(subject: entry.subject, schemaJSON: entry.schemaJSON) }
        }
        let admin = try KafkaAdmin(client: settings.kafka, logger: TestEnvironment.logger)
        _ = try await admin.createTopics(catalog.topics.map { KafkaTopicSpecification(name: $0, partitions: 2) })
    }
}
