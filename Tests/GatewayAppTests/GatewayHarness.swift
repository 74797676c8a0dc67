import AsyncHTTPClient
import AvroKit
import Foundation
import GatewayApp
import KafkaKit
import NIOHTTP1
import Prometheus
import Shared
import JWTAuth
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import TestSupport

/// A real gateway on a random port, wired to the test stack (or a private broker), with its own routes file.
final class GatewayHarness: @unchecked Sendable {
    // @unchecked: set up once in `start`, then only read; `task` is awaited once in `stop`.
    let baseURL: String
    let routesFile: String
    let settings: InfrastructureSettings
    let http: HTTPClient
    let group: ServiceGroup
    let endpoints: [Endpoint]
    var task: Task<Void, any Error>?

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
        var errorCode: String? { json["error"]?["code"]?.stringValue }
    }

    private init(
        baseURL: String, routesFile: String, settings: InfrastructureSettings, group: ServiceGroup, endpoints: [Endpoint]
    ) {
        self.endpoints = endpoints
        self.baseURL = baseURL
        self.routesFile = routesFile
        self.settings = settings
        self.http = HTTPClient(eventLoopGroupProvider: .singleton)
        self.group = group
    }

    /// The test process's metrics: swift-metrics takes one backend per process, so every gateway started here
    /// renders this registry at `/metrics` (counters add up across the tests that run in parallel).
    static let metricsRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Starts a gateway; `environment` overrides gateway variables, `kafkaBrokers` points it at another broker.
    static func start(
        environment overrides: [String: String] = [:], kafkaBrokers: String? = nil,
        routesYAML: String? = nil
    ) async throws -> GatewayHarness {
        try await Provisioning.shared.ensure()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let routesFile = directory.appendingPathComponent("routes.yaml").path
        let yaml = try routesYAML ?? String(contentsOfFile: "\(TestEnvironment.repositoryRoot)/routes.yaml", encoding: .utf8)
        try yaml.write(toFile: routesFile, atomically: true, encoding: .utf8)

        var values = [
            "KAFKA_BROKERS": kafkaBrokers ?? TestEnvironment.kafkaBrokers, "DATABASE_URL": TestEnvironment.databaseURL,
            "REDIS_URL": TestEnvironment.redisURL, "JWT_SECRET": TestEnvironment.jwtSecret,
            "WEBHOOK_SECRET": Self.webhookSecret, "GATEWAY_PORT": "0", "ROUTES_FILE": routesFile,
            "GATEWAY_BREAKER_COOLDOWN_MS": "500", "GATEWAY_PRODUCE_TIMEOUT_MS": "3000",
        ]
        values.merge(overrides) { $1 }
        var reader = EnvironmentReader(values)
        let settings = InfrastructureSettings(environment: &reader, clientID: "gateway-test")
        let configuration = GatewayConfiguration(environment: &reader)
        try reader.validate()
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .error
        let environment = ServiceEnvironment(
            service: "gateway", settings: settings, registry: metricsRegistry, logger: logger)
        // Port 0: the kernel picks a free port, so parallel tests never collide; the server reports which.
        let (listening, listener) = AsyncStream.makeStream(of: Int.self)
        let gateway = try await Gateway(environment: environment, configuration: configuration) { port in
            listener.yield(port)
            listener.finish()
        }
        let group = ServiceGroup(services: gateway.services, logger: logger)
        let task = Task { try await group.run() }
        let port = await withTaskGroup(of: Int?.self) { waiters in
            waiters.addTask { await listening.first { _ in true } }
            waiters.addTask {
                try? await Task.sleep(for: .seconds(15))
                return nil
            }
            let first = await waiters.next() ?? nil
            waiters.cancelAll()
            return first
        }
        let harness = GatewayHarness(
            baseURL: "http://127.0.0.1:\(port ?? 0)", routesFile: routesFile, settings: settings, group: group,
            endpoints: gateway.endpoints)
        harness.task = task
        if port != nil { return harness }
        let outcome: String
        await harness.group.triggerGracefulShutdown()
        do {
            try await task.value
            outcome = "the service group ended"
        } catch {
            outcome = "the service group failed: \(error)"
        }
        await harness.stop()
        throw HarnessError(description: "the gateway did not start listening within 15 s; \(outcome)")
    }

    static let webhookSecret = "test-webhook-secret"

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task?.value
        try? await http.shutdown()
    }

    /// Runs `body` with a started gateway and always stops it.
    static func with<T: Sendable>(
        environment: [String: String] = [:], kafkaBrokers: String? = nil, routesYAML: String? = nil,
        _ body: (GatewayHarness) async throws -> T
    ) async throws -> T {
        let harness = try await start(environment: environment, kafkaBrokers: kafkaBrokers, routesYAML: routesYAML)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }

    // MARK: - Requests

    func send(
        _ method: HTTPMethod, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    func get(_ path: String, token: String? = nil) async throws -> Reply {
        try await send(.GET, path, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    func post(_ path: String, token: String? = nil, json: JSONValue, headers: [String: String] = [:]) async throws -> Reply {
        var all = ["Content-Type": "application/json"]
        if let token { all["Authorization"] = "Bearer \(token)" }
        all.merge(headers) { $1 }
        return try await send(.POST, path, headers: all, body: json.jsonBytes())
    }

    static func token(user: String, email: String? = nil, expiresIn: Duration = .seconds(600)) async throws -> String {
        try await DevelopmentTokenMinter.mint(
            userID: user, email: email ?? "\(user)@example.com", secret: TestEnvironment.jwtSecret, expiresIn: expiresIn)
    }

    static func newUser() -> String { UUID().uuidString.lowercased() }

    // MARK: - Reading back what was produced

    /// Reads the record at (topic, partition, offset) and decodes it by its writer schema.
    func consumeRecord(topic: String, partition: Int32, offset: Int64) async throws -> IncomingEvent {
        let target = KafkaTopicPartition(topic: topic, partition: partition)
        let consumer = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: "gateway-test-\(UUID().uuidString)", topics: [topic]),
            logger: TestEnvironment.logger,
            offsetProvider: { partitions in
                // The target at the wanted offset; the other partitions at their end (-1).
                Dictionary(uniqueKeysWithValues: partitions.map { ($0, $0 == target ? offset : -1) })
            })
        defer { Task { await consumer.close() } }
        let decodedEvent: IncomingEvent? = try await TestEnvironment.withPostgres { client in
            let codec = AvroEventCodec(registry: EmbeddedSchemaRegistry(client: client, logger: TestEnvironment.logger))
            let deadline = ContinuousClock.now + .seconds(30)
            for try await event in consumer.events {
                if case .record(let record) = event, record.topicPartition == target, record.offset == offset {
                    return try await codec.decode(record)
                }
                if ContinuousClock.now > deadline { break }
            }
            return nil
        }
        guard let decodedEvent else { throw CancellationError() }
        return decodedEvent
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
}
