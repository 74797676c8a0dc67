import ServiceLifecycle
import Shared

/// Builds the SagaProcessor's services (it runs the credit and upload sagas on durable timers): Postgres, broker checks, health and metrics.
public func buildSagaProcessorServices(environment: ServiceEnvironment, configuration: SagaProcessorConfiguration)
    async throws -> [any Service]
{
    let infrastructure = try WorkerInfrastructure(environment: environment, port: configuration.port)
    return infrastructure.services
}
