import ArgumentParser
import AvroKit
import Foundation
import KafkaKit
import PostgresNIO
import Shared

/// The SagaProcessor benchmark (see scripts/bench-saga): credit check → approved, at saturation and at a steady rate.
/// Users are `bench-<run>-u<k>`, requests `bench-<run>-<phase>-<i>`; every user is given enough credits up front, so
/// every intent is approved (the deduction path, the expensive one).
struct SagaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga",
        abstract: "prefill: queue N upload intents for a stopped processor; wait: rate of their approvals; "
            + "steady: intents at a fixed rate through the running processor, intent→approved latency.",
        subcommands: [Prefill.self, Wait.self, Steady.self])

    static let users = 100
    static let intentTopic = "internal.media.upload.intent"
    static let approvedTopic = "public.media.upload.approved"

    static func user(_ run: String, _ index: Int) -> String { "bench-\(run)-u\(index % users)" }

    static func intent(run: String, phase: String, index: Int) -> (key: String, payload: JSONValue) {
        let user = user(run, index)
        return (user, [
            "user_id": .string(user), "file_name": "bench.png", "media_type": "image/png", "file_size": 1024,
            "request_id": .string("bench-\(run)-\(phase)-\(index)"), "request_time": .string(Timestamps.rfc3339(Date())),
        ])
    }

    /// Gives every bench user `perUser` credits (ledger row + balance, as a seed).
    static func seedCredits(run: String, phase: String, perUser: Int, client: PostgresClient) async throws {
        let users = (0..<Self.users).map { user(run, $0) }
        _ = try await client.query(
            """
            WITH seeded AS (
                INSERT INTO credit_ledger (user_id, amount, event_type, description, event_time, cause_id)
                SELECT u, \(perUser), 'credit.bench_seed', 'benchmark seed', now()::text, u || \(":" + phase)
                FROM unnest(\(users)::text[]) AS u
                RETURNING user_id, amount
            )
            INSERT INTO credit_balances (user_id, balance) SELECT user_id, amount FROM seeded
            ON CONFLICT (user_id) DO UPDATE SET balance = credit_balances.balance + EXCLUDED.balance
            """, logger: ConsumerBench.logger)
    }

    static func produce(_ events: [(key: String, payload: JSONValue)], codec: AvroEventCodec, producer: KafkaProducer) async throws {
        var records: [KafkaProducerRecord] = []
        for event in events {
            records.append(try await codec.record(
                for: OutgoingEvent(topic: intentTopic, key: event.key, payload: event.payload, correlationID: "bench")))
        }
        for result in await producer.send(batch: records) { _ = try result.get() }
    }

    /// Reads the approved topic from its beginning until `count` approvals with `prefix` request ids are seen;
    /// returns each one's record timestamp (ms, set when the relay produced it) by request id.
    static func approvals(prefix: String, count: Int, timeout: Duration) async throws -> [String: Int64] {
        let settings = try ConsumerBench.settings()
        let consumer = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: "bench-reader-\(UUID().uuidString)", topics: [approvedTopic]),
            logger: ConsumerBench.logger)
        defer { Task { await consumer.close() } }
        return try await ConsumerBench.withPostgres { client in
            let codec = AvroEventCodec(registry: CachingSchemaRegistry(EmbeddedSchemaRegistry(client: client, logger: ConsumerBench.logger)))
            var seen: [String: Int64] = [:]
            let deadline = ContinuousClock.now + timeout
            while seen.count < count, ContinuousClock.now < deadline {
                guard case .event(.record(let record)) = try await consumer.poll(timeout: .milliseconds(200)) else { continue }
                // Cheap pre-filter on the raw bytes before decoding.
                guard let event = try? await codec.decode(record), let request = event.payload["request_id"]?.stringValue,
                    request.hasPrefix(prefix), let timestamp = record.timestampMilliseconds
                else { continue }
                seen[request] = timestamp
            }
            return seen
        }
    }

    struct Prefill: AsyncParsableCommand {
        @Option var run: String
        @Option var count: Int
        @Option(help: "The processor's consumer group, positioned at the end of its topics first.") var group: String

        func run() async throws {
            let (run, count, group) = (self.run, self.count, self.group)
            let settings = try ConsumerBench.settings()
            try await ConsumerBench.withPostgres { client in
                let admin = try KafkaAdmin(client: try ConsumerBench.settings().kafka, logger: ConsumerBench.logger)
                try await ConsumerOffsetStore(postgres: client, groupID: group, logger: ConsumerBench.logger).positionAtEnd(
                    of: [SagaBench.intentTopic, "public.identity.signup.events", "public.media.upload.signed",
                         "internal.media.upload.received", "internal.media.file.ready", "internal.media.upload.dead-letter"],
                    admin: admin)
                try await SagaBench.seedCredits(run: run, phase: "sat", perUser: count / SagaBench.users + 1, client: client)
                let codec = AvroEventCodec(registry: CachingSchemaRegistry(EmbeddedSchemaRegistry(client: client, logger: ConsumerBench.logger)))
                let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: ConsumerBench.logger)
                for start in stride(from: 0, to: count, by: 5_000) {
                    let events = (start..<min(count, start + 5_000)).map { SagaBench.intent(run: run, phase: "sat", index: $0) }
                    try await SagaBench.produce(events, codec: codec, producer: producer)
                }
                await producer.shutdown()
            }
        }
    }

    /// Saturation: from the first approval to the last, by the approvals' own record timestamps.
    struct Wait: AsyncParsableCommand {
        @Option var run: String
        @Option var count: Int
        @Option var timeout = 600

        func run() async throws {
            let seen = try await SagaBench.approvals(prefix: "bench-\(run)-sat-", count: count, timeout: .seconds(timeout))
            guard seen.count == count, let first = seen.values.min(), let last = seen.values.max(), last > first else {
                throw ValidationError("saw \(seen.count) of \(count) approvals")
            }
            let seconds = Double(last - first) / 1000
            print(String(format: "RESULT sagas=%d seconds=%.3f sagas_per_s=%.0f", count, seconds, Double(count - 1) / seconds))
        }
    }

    /// Steady rate: each intent's send time against its approval's record timestamp (same machine clock).
    struct Steady: AsyncParsableCommand {
        @Option var run: String
        @Option var rate = 200
        @Option var seconds = 10

        func run() async throws {
            let (run, rate, seconds) = (self.run, self.rate, self.seconds)
            let total = rate * seconds
            let settings = try ConsumerBench.settings()
            let sent = try await ConsumerBench.withPostgres { client -> [String: Int64] in
                try await SagaBench.seedCredits(run: run, phase: "steady", perUser: total / SagaBench.users + 1, client: client)
                let codec = AvroEventCodec(registry: CachingSchemaRegistry(EmbeddedSchemaRegistry(client: client, logger: ConsumerBench.logger)))
                let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: ConsumerBench.logger)
                var sentAt: [String: Int64] = [:]
                let start = ContinuousClock.now
                let tick = Duration.milliseconds(10)
                let perTick = max(1, rate / 100)
                var index = 0
                try await withThrowingTaskGroup(of: Void.self) { group in
                    while index < total {
                        let due = start + tick * (index / perTick)
                        if ContinuousClock.now < due { try await Task.sleep(until: due) }
                        var events: [(key: String, payload: JSONValue)] = []
                        let now = Int64(Date().timeIntervalSince1970 * 1000)
                        for _ in 0..<min(perTick, total - index) {
                            events.append(SagaBench.intent(run: run, phase: "steady", index: index))
                            sentAt["bench-\(run)-steady-\(index)"] = now
                            index += 1
                        }
                        let batch = events
                        group.addTask { try await SagaBench.produce(batch, codec: codec, producer: producer) }
                    }
                    try await group.waitForAll()
                }
                await producer.shutdown()
                return sentAt
            }
            let approved = try await SagaBench.approvals(prefix: "bench-\(run)-steady-", count: total, timeout: .seconds(120))
            var latencies = approved.compactMap { request, at in sent[request].map { Double(at - $0) } }.sorted()
            if latencies.isEmpty { latencies = [.nan] }
            func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
            print(String(
                format: "RESULT intents=%d approved=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f", total, approved.count,
                percentile(0.5), percentile(0.99), latencies.last ?? .nan))
        }
    }
}
