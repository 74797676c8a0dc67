import Foundation
import Logging
import PostgresNIO
import Shared

/// Where the integration tests find the real servers: the variables `scripts/stack env --test` exports, with
/// the test profile's ports as defaults so `swift test` works whenever the test stack is up.
public enum TestEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    public static var kafkaBrokers: String { environment["KAFKA_BROKERS"] ?? "127.0.0.1:29092" }
    public static var databaseURL: String {
        environment["DATABASE_URL"] ?? "postgres://substrate:substrate@127.0.0.1:25432/substrate"
    }
    public static var redisURL: String { environment["REDIS_URL"] ?? "redis://127.0.0.1:26379/0" }
    public static var s3Endpoint: String { environment["S3_ENDPOINT"] ?? "http://127.0.0.1:29000" }
    public static var s3Bucket: String { environment["S3_BUCKET"] ?? "media-uploads" }
    public static var s3AccessKey: String { environment["S3_ACCESS_KEY"] ?? "substrate" }
    public static var s3SecretKey: String { environment["S3_SECRET_KEY"] ?? "substrate-secret" }
    /// The stack's Python with botocore (`scripts/stack env` exports it).
    public static var python: String {
        environment["STACK_PYTHON"]
            ?? "\(environment["EVENT_SUBSTRATE_CACHE"] ?? "\(NSHomeDirectory())/.cache/event-substrate")/venv/bin/python"
    }
    public static var jwtSecret: String { environment["JWT_SECRET"] ?? "integration-test-secret-at-least-32-chars" }

    /// The shared settings, as a service would read them.
    public static func settings(clientID: String = "tests") throws -> InfrastructureSettings {
        var reader = EnvironmentReader([
            "KAFKA_BROKERS": kafkaBrokers, "DATABASE_URL": databaseURL, "REDIS_URL": redisURL, "JWT_SECRET": jwtSecret,
        ])
        let settings = InfrastructureSettings(environment: &reader, clientID: clientID)
        try reader.validate()
        return settings
    }

    /// The repository root (for `avro/`, `migrations/`, `routes.yaml`).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// A name no other test run uses (topics, groups, keys).
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    public static let logger: Logger = {
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` with a running Postgres pool on the test database.
    public static func withPostgres<T: Sendable>(
        _ body: @escaping @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        try await PostgresClient.withRunning(configuration: try settings().postgres, logger: logger, body)
    }

    /// Applies the project's migrations (idempotent) and returns the client ready for use.
    public static func migrate(_ client: PostgresClient) async throws {
        try await Migrator(directory: "\(repositoryRoot)/migrations").migrate(client: client, logger: logger)
    }
}
