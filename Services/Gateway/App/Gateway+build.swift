import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import JWTAuth
import KafkaKit
import Logging
import PostgresNIO
import RedisKit
import ServiceLifecycle
import Shared

/// The gateway's parts, built once.
public struct Gateway {
    /// In start order. Shutdown runs in reverse: the drainer flips readiness and ends SSE streams, then the HTTP
    /// server stops accepting and finishes in-flight requests, then the producer flushes and the pools close.
    public let services: [any Service]
    public let routes: RoutesStore
    /// Every endpoint served (for the OpenAPI test).
    public let endpoints: [Endpoint]

    /// `onListening` receives the bound port once the server accepts connections (tests bind port 0).
    public init(
        environment: ServiceEnvironment, configuration: GatewayConfiguration,
        onListening: (@Sendable (Int) async -> Void)? = nil
    ) async throws {
        let logger = environment.logger
        let settings = environment.settings
        let postgres = PostgresClient(configuration: settings.postgres, backgroundLogger: logger)
        var redisConfiguration = settings.redis
        redisConfiguration.commandTimeout = .milliseconds(500)
        let redis = RedisClient(configuration: redisConfiguration, logger: logger)
        var producerConfiguration = settings.producerConfiguration()
        producerConfiguration.messageTimeoutMilliseconds = configuration.produceTimeoutMilliseconds
        producerConfiguration.lingerMilliseconds = configuration.produceLingerMilliseconds
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        let httpClient = HTTPClient.outbound()

        let registry = makeSchemaRegistry(settings: settings, postgres: postgres, httpClient: httpClient, logger: logger)
        let verifier = await JWTVerifier(configuration: settings.jwt, logger: logger)
        let routes = RoutesStore(path: configuration.routesFile, logger: logger)
        routes.reload()

        let breaker = ProduceCircuitBreaker(
            producer: producer, failureThreshold: configuration.breakerFailureThreshold,
            cooldown: .milliseconds(configuration.breakerCooldownMilliseconds))
        let ingestor = EventIngestor(producer: producer, registry: registry, breaker: breaker, logger: logger)
        let authenticator = Authenticator(verifier: verifier)
        let syncedLimiter = configuration.rateLimitSyncMilliseconds > 0
            ? SyncedRateLimiter(
                redis: RedisRateLimiter(client: redis), syncInterval: .milliseconds(configuration.rateLimitSyncMilliseconds),
                logger: logger)
            : nil
        let limiter = RequestLimiter(
            limiter: syncedLimiter ?? RedisRateLimiter(client: redis), failOpen: configuration.rateLimitFailOpen,
            logger: logger)
        let idempotency = IdempotencyGuard(
            store: RedisIdempotencyStore(client: redis), ttl: .seconds(configuration.idempotencyTTLSeconds),
            longestRequest: .milliseconds(configuration.produceTimeoutMilliseconds), logger: logger)
        let hub = NotificationHub(postgres: postgres, logger: logger)

        let health = environment.health
        health.add("postgres") { try await postgres.ping(logger: logger) }
        health.add("redis") { try await redis.ping() }
        health.add("kafka") { try await producer.checkBrokers(timeout: .seconds(1)) }

        // HEAD is answered wherever GET is (RFC 9110 §9.3.2): the GET handler's status and headers, no body.
        let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
        // The router's one middleware (``IngestFastPath`` runs it too).
        let edge = EdgeMiddleware(
            cors: CORSPolicy(
                origins: configuration.corsOrigins,
                allowHeaders: [.accept, .authorization, .contentType, .requestID, .idempotencyKey, .webhookSecret, .lastEventID],
                allowMethods: [.get, .post, .options],
                exposeHeaders: [.requestID, .rateLimitLimit, .rateLimitRemaining, .rateLimitReset, .retryAfter, .idempotentReplay],
                maxAge: .seconds(600)),
            metrics: RequestMetrics())
        router.add(middleware: edge)
        let endpoints = EndpointRouter(router: router)
        ObservabilityRoutes.add(to: router, health: health, registry: environment.registry)
        for path in ["/health/live", "/health/ready", "/metrics"] { endpoints.record("GET", path) }
        OpenAPIDocument.register(on: endpoints)
        let events = EventsController(
            routes: routes, ingestor: ingestor, authenticator: authenticator, limiter: limiter, idempotency: idempotency,
            configuration: configuration)
        events.register(on: endpoints)
        MediaController(
            ingestor: ingestor, authenticator: authenticator, limiter: limiter, idempotency: idempotency,
            configuration: configuration, postgres: postgres, logger: logger
        ).register(on: endpoints)
        NotificationsController(
            postgres: postgres, hub: hub, authenticator: authenticator,
            heartbeat: .seconds(configuration.sseHeartbeatSeconds)
        ).register(on: endpoints)

        let app = Application(
            responder: IngestFastPath(
                router: router, edge: edge, single: events.single, batch: events.batch, endpoints: endpoints.endpoints),
            configuration: .init(
                address: .hostname("0.0.0.0", port: configuration.port), serverName: "event-substrate-gateway"),
            onServerRunning: { channel in await onListening?(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        let drainer = ClosureService {
            try? await gracefulShutdown()
            health.startDraining()
            hub.closeAll()
        }
        let httpClientService = ClosureService {
            try? await gracefulShutdown()
            try await httpClient.shutdown()
        }
        // The limiter after Redis: it stops (sending its pending grants) before the Redis client does.
        var services: [any Service] = [postgres, redis]
        if let syncedLimiter { services.append(syncedLimiter) }
        services += [producer, httpClientService, hub, RoutesWatcher(store: routes, logger: logger)]
        if settings.jwt.jwksLocation != nil {
            services.append(JWKSRefresher(verifier: verifier, configuration: settings.jwt, httpClient: httpClient, logger: logger))
        }
        services += [app, drainer]
        self.services = services
        self.routes = routes
        self.endpoints = endpoints.endpoints
    }
}

/// Builds the gateway's services (kept for the executable's one-line main).
public func buildGatewayServices(environment: ServiceEnvironment, configuration: GatewayConfiguration) async throws
    -> [any Service]
{
    try await Gateway(environment: environment, configuration: configuration).services
}
