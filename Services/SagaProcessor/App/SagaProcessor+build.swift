import AsyncHTTPClient
import KafkaKit
import Logging
import ServiceLifecycle
import Shared

/// Builds the SagaProcessor's services: Postgres, the registry, one consumer for every saga input, the event loop,
/// the timer firer, the outbox relay, housekeeping, health and metrics.
///
/// Start order is dependency order; shutdown runs in reverse: the event loop and the timer firer finish their
/// transaction, the relay publishes what is committed (bounded), the consumer leaves the group, the producer
/// flushes, the pool closes, the health server stops last.
public func buildSagaProcessorServices(environment: ServiceEnvironment, configuration: SagaProcessorConfiguration)
    async throws -> [any Service]
{
    let logger = environment.logger
    let settings = environment.settings
    let infrastructure = try WorkerInfrastructure(environment: environment, port: configuration.port)
    let postgres = infrastructure.postgres
    let httpClient = HTTPClient.outbound()
    let registry = makeSchemaRegistry(settings: settings, postgres: postgres, httpClient: httpClient, logger: logger)
    let metrics = SagaMetrics()
    let engine = SagaEngine(
        sagas: makeSagas(configuration), codec: AvroEventCodec(registry: registry), metrics: metrics, logger: logger)
    let offsets = ConsumerOffsetStore(postgres: postgres, groupID: configuration.groupID, logger: logger)
    let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: logger)
    let consumer = try KafkaConsumer(
        configuration: settings.consumerConfiguration(groupID: configuration.groupID, topics: engine.topics),
        logger: logger,
        offsetProvider: { partitions in try await offsets.offsets(for: partitions) })
    let relay = configuration.outboxRelayEnabled ? OutboxRelay(postgres: postgres, producer: producer, logger: logger) : nil
    let loop = SagaEventLoop(
        consumer: consumer, engine: engine, offsets: offsets,
        deadLetters: DeadLetterPublisher(
            producer: producer, topic: configuration.deadLetterTopic, consumerGroup: configuration.groupID, logger: logger,
            parked: metrics.deadLettered),
        relay: relay,
        configuration: configuration, logger: logger)
    let firer = TimerFirer(
        postgres: postgres, engine: engine, relay: relay, interval: .milliseconds(configuration.timerPollMilliseconds),
        logger: logger)
    let housekeeping = SagaHousekeeping(
        postgres: postgres, metrics: metrics, retentionHours: configuration.stateRetentionHours, logger: logger)
    let httpClientService = ClosureService {
        try? await gracefulShutdown()
        try await httpClient.shutdown()
    }
    var services: [any Service] = infrastructure.services + [httpClientService, producer]
    if let relay { services.append(relay) }
    services += [consumer, housekeeping, firer, loop]
    return services
}

/// The sagas this process runs, with their configured timings.
func makeSagas(_ configuration: SagaProcessorConfiguration) -> [any Saga] {
    [
        CreditCheckSaga(),
        SignupBonusSaga(),
        UploadTTLSaga(ttl: .seconds(configuration.uploadTTLSeconds)),
        MoveSaga(timeout: .seconds(configuration.moveTimeoutSeconds), maxRetries: configuration.moveMaxRetries),
    ]
}
