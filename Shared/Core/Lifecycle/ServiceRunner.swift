import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a process's services as one `ServiceGroup`: started in order, stopped in reverse on SIGTERM/SIGINT,
/// escalating to cancellation if draining takes longer than the orchestrator's grace period allows. A service that
/// fails (say, the HTTP port is taken) stops the process with a logged reason and exit status 1, not a crash report.
public enum ServiceRunner {
    public static func run(_ services: [any Service], logger: Logger, gracePeriod: Duration = .seconds(25)) async {
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = gracePeriod
        let group = ServiceGroup(configuration: configuration)
        logger.info("starting", metadata: ["services": "\(services.count)"])
        do {
            try await group.run()
        } catch {
            logger.critical("stopped: a service failed", metadata: ["error": "\(error)"])
            exit(EXIT_FAILURE)
        }
        logger.info("stopped cleanly")
    }
}
