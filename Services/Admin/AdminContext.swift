import Foundation
import Logging
import PostgresNIO
import Shared

/// Settings and clients for one admin command, from the environment.
struct AdminContext {
    let settings: InfrastructureSettings
    let logger: Logger

    init() throws {
        var reader = EnvironmentReader()
        settings = InfrastructureSettings(environment: &reader, clientID: "substrate-admin")
        try reader.validate()
        var logger = Logger(label: "substrate")
        logger.logLevel = .warning
        self.logger = logger
    }

    /// Runs `body` with a started Postgres pool, shutting it down afterwards.
    func withPostgres<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        // The pool's own background chatter (e.g. a lease racing run()) is not the command's output.
        var poolLogger = logger
        poolLogger.logLevel = .error
        return try await PostgresClient.withRunning(configuration: settings.postgres, logger: poolLogger, body)
    }

    /// The registry the services use: Confluent REST when SCHEMA_REGISTRY_URL is set, else the embedded one.
    func withRegistry<T: Sendable>(_ body: @escaping @Sendable (any SchemaRegistry) async throws -> T) async throws -> T {
        if let url = settings.schemaRegistryURL {
            return try await withHTTPClient { client in
                try await body(ConfluentSchemaRegistry(baseURL: url, httpClient: client))
            }
        }
        let logger = self.logger
        return try await withPostgres { client in
            try await body(EmbeddedSchemaRegistry(client: client, logger: logger))
        }
    }
}
