import ArgumentParser
import AvroKit
import Foundation
import KafkaKit
import Logging
import MessageConsumerApp
import PostgresNIO
import Shared

/// The MessageConsumer benchmark's three measurements, each against the running stack (see scripts/bench-consumer).
struct ConsumerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer",
        abstract: "prefill: produce N message events; ceiling: insert the same rows straight into Postgres; "
            + "wait: time until N rows of a user exist; steady: produce at a fixed rate and report produce→row latency.",
        subcommands: [Prefill.self, Ceiling.self, Wait.self, Steady.self])

    static func settings() throws -> InfrastructureSettings {
        var reader = EnvironmentReader()
        let settings = InfrastructureSettings(environment: &reader, clientID: "substrate-bench")
        try reader.validate()
        return settings
    }

    static var logger: Logger {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        return logger
    }

    static func withPostgres<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await PostgresClient.withRunning(configuration: try settings().postgres, logger: logger, body)
    }

    static func message(user: String, index: Int, sentAt: Double? = nil) -> JSONValue {
        // ~300-byte events; `sentAt` (seconds since 1970) lets the steady test measure produce→row latency.
        let text = (sentAt.map { "t=\($0) " } ?? "") + String(repeating: "x", count: 180)
        return [
            "user_id": .string(user), "email": .string("\(user)@example.com"), "message": .string(text + " #\(index)"),
            "timestamp": "2026-11-23T10:00:00Z",
            // Direct to nobody: realistic rows that do not flood real users' feeds on the dev stack.
            "visibility": "direct", "recipient_id": "bench-nobody",
        ]
    }

    static func produce(_ payloads: [JSONValue], user: String) async throws {
        let settings = try settings()
        try await withPostgres { client in
            let codec = AvroEventCodec(registry: CachingSchemaRegistry(EmbeddedSchemaRegistry(client: client, logger: logger)))
            let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: logger)
            var records: [KafkaProducerRecord] = []
            for payload in payloads {
                records.append(
                    try await codec.record(
                        for: OutgoingEvent(topic: "public.user.message.events", key: user, payload: payload, correlationID: "bench")))
            }
            for start in stride(from: 0, to: records.count, by: 10_000) {
                for result in await producer.send(batch: Array(records[start..<min(records.count, start + 10_000)])) {
                    _ = try result.get()
                }
            }
            await producer.shutdown()
        }
    }

    struct Prefill: AsyncParsableCommand {
        @Option var user: String
        @Option var count: Int
        @Option(help: "Consumer group to position at the current end of every catalogue topic first.")
        var group: String?

        func run() async throws {
            if let group { try await ConsumerBench.positionAtEnd(group: group) }
            try await ConsumerBench.produce((0..<count).map { ConsumerBench.message(user: user, index: $0) }, user: user)
        }
    }

    /// Positions `group` at the current end of every catalogue topic.
    static func positionAtEnd(group: String) async throws {
        let admin = try KafkaAdmin(client: try settings().kafka, logger: logger)
        try await withPostgres { client in
            try await ConsumerOffsetStore(postgres: client, groupID: group, logger: logger)
                .positionAtEnd(of: NotificationCatalogue.topics, admin: admin)
        }
    }

    /// The raw ceiling: the same rows, written by the same batched statement as the consumer, with no Kafka at all.
    struct Ceiling: AsyncParsableCommand {
        @Option var user: String
        @Option var count: Int
        @Option var batch = 1000
        func run() async throws {
            let user = self.user
            let count = self.count
            let batch = self.batch
            let seconds = try await ConsumerBench.withPostgres { client in
                let store = NotificationStore(postgres: client, groupID: "bench-ceiling", logger: ConsumerBench.logger)
                let rows = (0..<count).map { index in
                    NotificationRow(
                        userID: user, eventType: "user.message",
                        payload: ["email": .string("\(user)@example.com"), "message": ConsumerBench.message(user: user, index: index)["message"]!],
                        eventTime: "2026-11-23T10:00:00Z", visibility: "direct", recipientID: "bench-nobody",
                        sourceEventID: UUID().uuidString.lowercased())
                }
                let started = ContinuousClock.now
                for start in stride(from: 0, to: rows.count, by: batch) {
                    try await store.write(Array(rows[start..<min(rows.count, start + batch)]), nextOffsets: [:])
                }
                return (ContinuousClock.now - started).seconds
            }
            print(String(format: "RESULT rows=%d seconds=%.3f rows_per_s=%.0f", count, seconds, Double(count) / seconds))
        }
    }

    /// Waits until `count` rows exist for `user`. The rate is measured from the first row to the last, so the
    /// consumer's start-up and group join are not counted; the time to the first row is printed separately.
    struct Wait: AsyncParsableCommand {
        @Option var user: String
        @Option var count: Int
        @Option var timeout = 600
        func run() async throws {
            let user = self.user
            let count = self.count
            let deadline = ContinuousClock.now + .seconds(timeout)
            let called = ContinuousClock.now
            let result = try await ConsumerBench.withPostgres { client -> (first: ContinuousClock.Instant, atFirst: Int, last: ContinuousClock.Instant)? in
                var first: (ContinuousClock.Instant, Int)?
                while ContinuousClock.now < deadline {
                    for try await rows in try await client.query(
                        "SELECT count(*)::int FROM user_notifications WHERE user_id = \(user)", logger: ConsumerBench.logger
                    ).decode(Int.self) {
                        let now = ContinuousClock.now
                        if first == nil, rows > 0 { first = (now, rows) }
                        if rows >= count, let first { return (first.0, first.1, now) }
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
                return nil
            }
            guard let result, result.last > result.first else { throw ValidationError("timed out waiting for \(count) rows") }
            let seconds = (result.last - result.first).seconds
            print(String(
                format: "RESULT rows=%d seconds=%.3f rows_per_s=%.0f startup_s=%.2f", count, seconds,
                Double(count - result.atFirst) / seconds, (result.first - called).seconds))
        }
    }

    /// Produces `rate` events per second for `seconds`, each carrying its send time; then reads the rows'
    /// `created_at` (the inserting transaction's start, on the same clock) and reports latency percentiles.
    struct Steady: AsyncParsableCommand {
        @Option var user: String
        @Option var rate = 1000
        @Option var seconds = 10
        func run() async throws {
            let settings = try ConsumerBench.settings()
            let user = self.user
            let total = rate * seconds
            try await ConsumerBench.withPostgres { client in
                let codec = AvroEventCodec(registry: CachingSchemaRegistry(EmbeddedSchemaRegistry(client: client, logger: ConsumerBench.logger)))
                let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: ConsumerBench.logger)
                let start = ContinuousClock.now
                let tick = Duration.milliseconds(10)
                let perTick = max(1, rate / 100)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    var sent = 0
                    while sent < total {
                        let due = start + tick * (sent / perTick)
                        if ContinuousClock.now < due { try await Task.sleep(until: due) }
                        var records: [KafkaProducerRecord] = []
                        for _ in 0..<min(perTick, total - sent) {
                            let payload = ConsumerBench.message(user: user, index: sent, sentAt: Date().timeIntervalSince1970)
                            records.append(
                                try await codec.record(
                                    for: OutgoingEvent(
                                        topic: "public.user.message.events", key: "\(user)-\(sent % 16)", payload: payload,
                                        correlationID: "bench")))
                            sent += 1
                        }
                        // Each tick's send runs alongside the next ticks, so the rate does not wait for acks.
                        let batch = records
                        group.addTask { for result in await producer.send(batch: batch) { _ = try result.get() } }
                    }
                    try await group.waitForAll()
                }
                // Wait until every row is in.
                let deadline = ContinuousClock.now + .seconds(120)
                var latencies: [Double] = []
                while ContinuousClock.now < deadline {
                    latencies = []
                    let rows = try await client.query(
                        """
                        SELECT payload, extract(epoch FROM created_at)::float8 FROM user_notifications WHERE user_id = \(user)
                        """, logger: ConsumerBench.logger)
                    for try await (payload, created) in rows.decode((String, Double).self) {
                        if let message = try? JSONValue.parse(payload)["message"]?.stringValue,
                            let sentText = message.split(separator: " ").first?.dropFirst(2), let sentAt = Double(sentText)
                        {
                            latencies.append((created - sentAt) * 1000)
                        }
                    }
                    if latencies.count >= total { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                await producer.shutdown()
                latencies.sort()
                func percentile(_ p: Double) -> Double {
                    latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
                }
                print(String(
                    format: "RESULT events=%d rows=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f", total, latencies.count,
                    percentile(0.5), percentile(0.99), latencies.last ?? .nan))
            }
        }
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
