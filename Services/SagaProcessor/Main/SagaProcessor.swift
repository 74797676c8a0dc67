import SagaProcessorApp
import Shared

@main
struct SagaProcessorMain {
    static func main() async throws {
        let (environment, configuration) = ServiceEnvironment.bootstrap(service: "saga-processor") {
            SagaProcessorConfiguration(environment: &$0)
        }
        let services = try await buildSagaProcessorServices(environment: environment, configuration: configuration)
        await ServiceRunner.run(services, logger: environment.logger)
    }
}
