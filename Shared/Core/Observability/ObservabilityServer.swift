import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// A small HTTP server for the worker services: health and metrics, plus whatever few routes a service adds (the
/// MediaService's object-store webhooks). On graceful shutdown readiness flips to 503 first, then the server stops.
public struct ObservabilityServer: Service {
    private let application: Application<RouterResponder<BasicRequestContext>>
    private let health: HealthChecks

    public init(
        port: Int, health: HealthChecks, registry: PrometheusCollectorRegistry, logger: Logger,
        routes: (Router<BasicRequestContext>) -> Void = { _ in }
    ) {
        // HEAD wherever GET (probes and load balancers use either).
        let router = Router(options: .autoGenerateHeadEndpoints)
        ObservabilityRoutes.add(to: router, health: health, registry: registry)
        routes(router)
        self.health = health
        self.application = Application(
            router: router,
            configuration: .init(address: .hostname("0.0.0.0", port: port), serverName: "event-substrate"),
            logger: logger)
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await application.runService(gracefulShutdownSignals: [])
        } onGracefulShutdown: {
            health.startDraining()
        }
    }
}
