import Hummingbird
import KafkaKit
import Logging
import PostgresNIO
import ServiceLifecycle

/// The common core of the non-HTTP services (consumer, media, saga): a Postgres pool, a Kafka admin client for
/// broker checks, and the health/metrics server with readiness on both.
public struct WorkerInfrastructure: Sendable {
    public let postgres: PostgresClient
    public let kafkaAdmin: KafkaAdmin
    public let observabilityServer: ObservabilityServer

    /// `postgres`: a pool the service built earlier (its routes need it); `routes` adds service routes to the
    /// health/metrics server.
    public init(
        environment: ServiceEnvironment, port: Int, postgres: PostgresClient? = nil,
        routes: (Router<BasicRequestContext>) -> Void = { _ in }
    ) throws {
        let logger = environment.logger
        let postgres = postgres ?? PostgresClient(configuration: environment.settings.postgres, backgroundLogger: logger)
        let admin = try KafkaAdmin(client: environment.settings.kafka, logger: logger)
        environment.health.add("postgres") { try await postgres.ping(logger: logger) }
        environment.health.add("kafka") { try await admin.checkBrokers(timeout: .seconds(1)) }
        self.postgres = postgres
        self.kafkaAdmin = admin
        self.observabilityServer = ObservabilityServer(
            port: port, health: environment.health, registry: environment.registry, logger: logger, routes: routes)
    }

    /// In start order: the health server first (it stops last), then the pool.
    public var services: [any Service] { [observabilityServer, postgres] }
}
