import AsyncHTTPClient
import KafkaKit
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Shared

/// Builds the consumer's services (it materializes events into `user_notifications`): Postgres, the registry, the
/// dead-letter producer, the consumer and the materializing loop, health and metrics.
///
/// Start order is dependency order; shutdown runs in reverse: the loop writes its last batch, the consumer leaves
/// the group, the producer flushes, the pool closes, the health server stops last.
public func buildMessageConsumerServices(environment: ServiceEnvironment, configuration: MessageConsumerConfiguration)
    async throws -> [any Service]
{
    let logger = environment.logger
    let settings = environment.settings
    let infrastructure = try WorkerInfrastructure(environment: environment, port: configuration.port)
    let postgres = infrastructure.postgres
    let httpClient = HTTPClient.outbound()
    let registry = makeSchemaRegistry(settings: settings, postgres: postgres, httpClient: httpClient, logger: logger)
    let store = NotificationStore(postgres: postgres, groupID: configuration.groupID, logger: logger)
    let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: logger)
    let consumer = try KafkaConsumer(
        configuration: settings.consumerConfiguration(groupID: configuration.groupID, topics: NotificationCatalogue.topics),
        logger: logger,
        offsetProvider: { partitions in try await store.offsets(for: partitions) })
    let materializer = NotificationMaterializer(
        consumer: consumer, codec: AvroEventCodec(registry: registry), store: store,
        deadLetters: DeadLetterPublisher(
            producer: producer, topic: configuration.deadLetterTopic, consumerGroup: configuration.groupID, logger: logger,
            parked: Counter(label: "message_consumer_dead_lettered_total")),
        configuration: configuration, logger: logger)
    let httpClientService = ClosureService {
        try? await gracefulShutdown()
        try await httpClient.shutdown()
    }
    return infrastructure.services + [
        httpClientService, producer, consumer, LagReporter(consumer: consumer, materializer: materializer, interval: .seconds(10)),
        materializer,
    ]
}
