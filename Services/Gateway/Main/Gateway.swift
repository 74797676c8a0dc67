import GatewayApp
import Shared

@main
struct GatewayMain {
    static func main() async throws {
        let (environment, configuration) = ServiceEnvironment.bootstrap(service: "gateway") {
            GatewayConfiguration(environment: &$0)
        }
        let services = try await buildGatewayServices(environment: environment, configuration: configuration)
        await ServiceRunner.run(services, logger: environment.logger)
    }
}
