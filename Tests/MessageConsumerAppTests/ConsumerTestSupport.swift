import AvroKit
import Foundation
import KafkaKit
import Logging
import MessageConsumerApp
import PostgresNIO
import ServiceLifecycle
import Shared
import TestSupport

/// Helpers for the MessageConsumer's integration tests: publishing events, running the consumer in-process or as
/// a real process, and reading what it wrote.
enum ConsumerTests {
    static func environment(group: String, dlqTopic: String, port: Int, extra: [String: String] = [:]) -> [String: String] {
        var values = [
            "KAFKA_BROKERS": TestEnvironment.kafkaBrokers, "DATABASE_URL": TestEnvironment.databaseURL,
            "REDIS_URL": TestEnvironment.redisURL, "MESSAGE_CONSUMER_GROUP": group, "MESSAGE_CONSUMER_DLQ_TOPIC": dlqTopic,
            "MESSAGE_CONSUMER_PORT": String(port), "LOG_LEVEL": "warning", "MESSAGE_CONSUMER_RETRY_MAX_MS": "500",
        ]
        values.merge(extra) { $1 }
        return values
    }

    /// Runs the consumer's services in this process until `body` returns.
    static func withConsumer<T: Sendable>(
        group: String = "mc-test-\(UUID().uuidString.prefix(8))", dlqTopic: String = "it.dlq.\(UUID().uuidString.prefix(8))",
        clientID: String = "message-consumer-test", _ body: () async throws -> T
    ) async throws -> T {
        var reader = EnvironmentReader(environment(group: group, dlqTopic: dlqTopic, port: TestPorts.unused()))
        let settings = InfrastructureSettings(environment: &reader, clientID: clientID)
        let configuration = MessageConsumerConfiguration(environment: &reader)
        try reader.validate()
        var logger = Logger(label: "consumer-test")
        logger.logLevel = .error
        let environment = ServiceEnvironment(service: "message-consumer", settings: settings, logger: logger)
        let services = try await buildMessageConsumerServices(environment: environment, configuration: configuration)
        return try await TestServices.run(services, logger: logger, body)
    }

    @discardableResult
    static func publish(_ events: [TestEvents.Event]) async throws -> [String] { try await TestEvents.publish(events) }

    static func messages(user: String, count: Int, start: Int = 0) -> [(topic: String, key: String, payload: JSONValue)] {
        (start..<(start + count)).map { index in
            (
                "public.user.message.events", user,
                ["user_id": .string(user), "email": .string("\(user)@example.com"), "message": .string("message \(index)"), "timestamp": "2026-11-23T10:00:00Z"]
            )
        }
    }

    /// (rows, distinct source events) written for a user.
    static func counts(user: String) async throws -> (rows: Int, distinct: Int) {
        try await TestEnvironment.withPostgres { client in
            let rows = try await client.query(
                "SELECT count(*)::int, count(DISTINCT source_event_id)::int FROM user_notifications WHERE user_id = \(user)",
                logger: TestEnvironment.logger)
            for try await (all, distinct) in rows.decode((Int, Int).self) { return (all, distinct) }
            return (0, 0)
        }
    }

    /// How many of these source events have their row.
    static func written(_ sourceEventIDs: [String]) async throws -> Int {
        try await TestEnvironment.withPostgres { client in
            let rows = try await client.query(
                "SELECT count(DISTINCT source_event_id)::int FROM user_notifications WHERE source_event_id = ANY(\(sourceEventIDs))",
                logger: TestEnvironment.logger)
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    /// Reads `topic` (a test's own dead-letter topic) from its beginning until `done` holds for what was read, or for
    /// 30 s.
    static func deadLetters(on topic: String, until done: ([KafkaConsumerRecord]) -> Bool) async throws -> [KafkaConsumerRecord] {
        let settings = try TestEnvironment.settings()
        let consumer = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: "dlq-reader-\(UUID().uuidString)", topics: [topic]),
            logger: TestEnvironment.logger)
        var records: [KafkaConsumerRecord] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while !done(records), ContinuousClock.now < deadline {
            if case .event(.record(let record)) = try await consumer.poll(timeout: .seconds(1)) { records.append(record) }
        }
        await consumer.close()
        return records
    }

    /// Creates a dead-letter topic of the test's own.
    static func createDeadLetterTopic() async throws -> String {
        try await Provisioning.shared.ensure()
        let topic = "it.dlq.\(UUID().uuidString.prefix(8))"
        let admin = try KafkaAdmin(client: try TestEnvironment.settings().kafka, logger: TestEnvironment.logger)
        _ = try await admin.createTopics([KafkaTopicSpecification(name: topic, partitions: 1)])
        return topic
    }

    static func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
        try await TestEvents.eventually(timeout: timeout, condition)
    }

    /// The debug build's MessageConsumer executable (built by `swift build --build-tests`).
    static var executable: String { "\(TestEnvironment.repositoryRoot)/.build/debug/MessageConsumer" }

    /// Starts a real MessageConsumer process.
    static func launch(group: String, dlqTopic: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.environment = ProcessInfo.processInfo.environment.merging(
            environment(group: group, dlqTopic: dlqTopic, port: TestPorts.unused())) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
