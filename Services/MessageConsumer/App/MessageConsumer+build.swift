import ServiceLifecycle
import Shared

/// Builds the MessageConsumer's services (it materializes events into user_notifications): Postgres, broker checks, health and metrics.
public func buildMessageConsumerServices(environment: ServiceEnvironment, configuration: MessageConsumerConfiguration)
    async throws -> [any Service]
{
    let infrastructure = try WorkerInfrastructure(environment: environment, port: configuration.port)
    return infrastructure.services
}
