import MessageConsumerApp
import Shared

@main
struct MessageConsumerMain {
    static func main() async throws {
        let (environment, configuration) = ServiceEnvironment.bootstrap(service: "message-consumer") {
            MessageConsumerConfiguration(environment: &$0)
        }
        let services = try await buildMessageConsumerServices(environment: environment, configuration: configuration)
        await ServiceRunner.run(services, logger: environment.logger)
    }
}
