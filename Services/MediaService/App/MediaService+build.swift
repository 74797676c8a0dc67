import ServiceLifecycle
import Shared

/// Builds the MediaService's services (it owns the S3 side of media): Postgres, broker checks, health and metrics.
public func buildMediaServiceServices(environment: ServiceEnvironment, configuration: MediaServiceConfiguration)
    async throws -> [any Service]
{
    let infrastructure = try WorkerInfrastructure(environment: environment, port: configuration.port)
    return infrastructure.services
}
