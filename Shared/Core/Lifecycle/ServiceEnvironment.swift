import Foundation
import Logging
import Prometheus

/// What every executable sets up first: validated settings, logging and metrics, readiness checks.
public struct ServiceEnvironment: Sendable {
    public let service: String
    public let settings: InfrastructureSettings
    public let registry: PrometheusCollectorRegistry
    public let logger: Logger
    public let health: HealthChecks

    /// An environment without process-wide bootstrapping (tests, embedding): logging and metrics stay as they are.
    public init(
        service: String, settings: InfrastructureSettings, registry: PrometheusCollectorRegistry = .init(),
        logger: Logger, health: HealthChecks = HealthChecks()
    ) {
        self.service = service
        self.settings = settings
        self.registry = registry
        self.logger = logger
        self.health = health
    }

    /// Reads and validates the shared settings plus the service's own (via `extra`), then bootstraps logging and
    /// metrics. Exits with a readable message listing every configuration problem.
    public static func bootstrap<Extra>(
        service: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        extra: (inout EnvironmentReader) -> Extra
    ) -> (ServiceEnvironment, Extra) {
        var reader = EnvironmentReader(environment)
        let settings = InfrastructureSettings(environment: &reader, clientID: service)
        let extraSettings = extra(&reader)
        do {
            try reader.validate()
        } catch {
            FileHandle.standardError.write(Data("\(service): \(error)\n".utf8))
            exit(64)  // EX_USAGE
        }
        let registry = Observability.bootstrap(service: service, level: settings.logLevel, format: settings.logFormat)
        var logger = Logger(label: service)
        logger.logLevel = settings.logLevel
        let environment = ServiceEnvironment(
            service: service, settings: settings, registry: registry, logger: logger, health: HealthChecks())
        return (environment, extraSettings)
    }
}
