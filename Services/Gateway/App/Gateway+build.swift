import Hummingbird
import JWTAuth
import KafkaKit
import Logging
import PostgresNIO
import RedisKit
import ServiceLifecycle
import Shared

/// Builds the gateway's services in dependency order: clients first, the HTTP application last (so on shutdown it
/// stops taking requests before the producer flushes and the pools close).
public func buildGatewayServices(environment: ServiceEnvironment, configuration: GatewayConfiguration) async throws
    -> [any Service]
{
    let logger = environment.logger
    let settings = environment.settings
    let postgres = PostgresClient(configuration: settings.postgres, backgroundLogger: logger)
    let redis = RedisClient(configuration: settings.redis, logger: logger)
    let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: logger)

    environment.health.add("postgres") { try await postgres.ping(logger: logger) }
    environment.health.add("redis") { try await redis.ping() }
    environment.health.add("kafka") { try await producer.checkBrokers(timeout: .seconds(1)) }

    let router = Router()
    ObservabilityRoutes.add(to: router, health: environment.health, registry: environment.registry)
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("0.0.0.0", port: configuration.port), serverName: "event-substrate-gateway"),
        logger: logger)
    let health = environment.health
    let drainOnShutdown = ClosureService {
        try? await gracefulShutdown()
        health.startDraining()
    }
    return [postgres, redis, producer, drainOnShutdown, app]
}
