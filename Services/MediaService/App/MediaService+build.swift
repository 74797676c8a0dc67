import AsyncHTTPClient
import KafkaKit
import Logging
import Metrics
import PostgresNIO
import S3Kit
import ServiceLifecycle
import Shared

/// Builds the MediaService's services (it owns the S3 side of media): the object-store webhooks on the
/// health/metrics server, the listing poller (when the store has no notifications), the consumer with every input
/// handler, and the outbox relay.
///
/// Shutdown runs in reverse: the loops finish their batch, the relay publishes what is committed, the consumers leave
/// the group, the producer flushes, the pool closes, the HTTP server stops last.
public func buildMediaServiceServices(environment: ServiceEnvironment, configuration: MediaServiceConfiguration)
    async throws -> [any Service]
{
    let logger = environment.logger
    let settings = environment.settings
    let httpClient = HTTPClient.outbound()
    let postgres = PostgresClient(configuration: settings.postgres, backgroundLogger: logger)
    let registry = makeSchemaRegistry(settings: settings, postgres: postgres, httpClient: httpClient, logger: logger)
    let codec = AvroEventCodec(registry: registry)
    let s3 = S3Client(
        configuration: configuration.s3, httpClient: httpClient,
        timeout: .milliseconds(Int64(configuration.s3RequestTimeoutMilliseconds)))
    let mover = ObjectMover(s3: s3)
    let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: logger)
    let relay = OutboxRelay(postgres: postgres, producer: producer, logger: logger)
    let recorder = ObjectEventRecorder(postgres: postgres, codec: codec, s3: s3, mover: mover, relay: relay, logger: logger)
    let infrastructure = try WorkerInfrastructure(environment: environment, port: configuration.port, postgres: postgres) { router in
        WebhookRoutes.add(to: router, token: configuration.webhookToken, recorder: recorder, logger: logger)
    }
    environment.health.add("s3") { _ = try await s3.listObjects(prefix: MediaKeys.stagingPrefix, maxKeys: 1) }

    let files = MediaFiles(postgres: postgres, logger: logger)
    let removal = FileRemoval(files: files, s3: s3, maxRetries: configuration.deleteMaxRetries)
    let handlers: [any MediaHandler] = [
        UploadSigningHandler(presigner: S3Presigner(configuration: configuration.s3), expires: configuration.uploadURLExpirySeconds),
        UploadRetryHandler(mover: mover, logger: logger),
        DownloadHandler(files: files, s3: s3, expires: configuration.downloadURLExpirySeconds),
        DeleteHandler(removal: removal),
        ExpiredCleanupHandler(s3: s3, logger: logger),
        DeleteRetryHandler(removal: removal, baseDelay: .milliseconds(configuration.deleteRetryBaseMilliseconds)),
    ]
    var services: [any Service] = infrastructure.services
    services += [ClosureService {
        try? await gracefulShutdown()
        try await httpClient.shutdown()
    }, producer, relay]
    let offsets = ConsumerOffsetStore(postgres: postgres, groupID: configuration.groupID, logger: logger)
    let consumer = try KafkaConsumer(
        configuration: settings.consumerConfiguration(groupID: configuration.groupID, topics: handlers.map(\.topic)),
        logger: logger, offsetProvider: { partitions in try await offsets.offsets(for: partitions) })
    services += [consumer, MediaEventLoop(
        consumer: consumer, handlers: handlers, codec: codec, offsets: offsets,
        deadLetters: DeadLetterPublisher(
            producer: producer, topic: configuration.deadLetterTopic, consumerGroup: configuration.groupID, logger: logger,
            parked: Counter(label: "media_dead_lettered_records_total")),
        relay: relay,
        batches: ConsumerBatches(size: 50, wait: .milliseconds(10)), retryMax: .milliseconds(configuration.retryMaxMilliseconds),
        logger: logger)]
    services.append(ProcessedEventsRetention(
        postgres: postgres, consumer: configuration.groupID, retentionHours: configuration.processedRetentionHours,
        interval: .seconds(600), logger: logger))
    if configuration.objectEvents == "poll" {
        services.append(ListingPoller(
            s3: s3, recorder: recorder, interval: .milliseconds(configuration.pollIntervalMilliseconds), logger: logger))
    }
    return services
}
