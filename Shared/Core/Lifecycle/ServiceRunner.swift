import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a process's services as one `ServiceGroup`: started in order, stopped in reverse on SIGTERM/SIGINT,
/// escalating to cancellation if draining takes longer than the orchestrator's grace period allows.
public enum ServiceRunner {
    public static func run(_ services: [any Service], logger: Logger, gracePeriod: Duration = .seconds(25)) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = gracePeriod
        let group = ServiceGroup(configuration: configuration)
        logger.info("starting", metadata: ["services": "\(services.count)"])
        try await group.run()
        logger.info("stopped cleanly")
    }
}
