import MediaServiceApp
import Shared

@main
struct MediaServiceMain {
    static func main() async throws {
        let (environment, configuration) = ServiceEnvironment.bootstrap(service: "media-service") {
            MediaServiceConfiguration(environment: &$0)
        }
        let services = try await buildMediaServiceServices(environment: environment, configuration: configuration)
        await ServiceRunner.run(services, logger: environment.logger)
    }
}
