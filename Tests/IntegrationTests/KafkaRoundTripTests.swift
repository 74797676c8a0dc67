import Foundation
import KafkaKit
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport

@Suite("Kafka round trips against the local broker", .serialized, .timeLimit(.minutes(3)))
struct KafkaRoundTripTests {
    let settings: InfrastructureSettings

    init() throws {
        settings = try TestEnvironment.settings()
    }

    func createTopic(_ name: String, partitions: Int32 = 2) async throws {
        let admin = try KafkaAdmin(client: settings.kafka, logger: TestEnvironment.logger)
        let outcome = try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: partitions)])
        #expect(outcome[name] == .created)
        let again = try await admin.createTopics([KafkaTopicSpecification(name: name, partitions: partitions)])
        #expect(again[name] == .alreadyExists)
    }

    /// Produces `count` records `m0`, `m1`, … under one key, and checks the broker took them all.
    func produceKeyed(_ count: Int, to topic: String) async throws {
        let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: TestEnvironment.logger)
        let results = await producer.send(
            batch: (0..<count).map { KafkaProducerRecord(topic: topic, key: Array("k".utf8), value: Array("m\($0)".utf8)) })
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        await producer.shutdown()
    }

    /// Reads records until `count` arrived (or the deadline passed), answering rebalances as a real app would.
    func collect(
        _ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(40)
    ) async throws -> [KafkaConsumerRecord] {
        var records: [KafkaConsumerRecord] = []
        let deadline = ContinuousClock.now + timeout
        while records.count < count, ContinuousClock.now < deadline {
            // Race the next event against the deadline; the loser is cancelled (the consumer notices within one poll).
            let event = try await withThrowingTaskGroup(of: KafkaConsumerEvent?.self) { group in
                group.addTask { try await consumer.nextEvent() }
                group.addTask {
                    try? await Task.sleep(until: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            if case .record(let record) = event { records.append(record) }
        }
        return records
    }

    @Test("records keep key, value, headers and per-key order through a consumer group")
    func roundTrip() async throws {
        let topic = TestEnvironment.uniqueName("it.kafka.roundtrip")
        try await createTopic(topic)
        let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: TestEnvironment.logger)
        var sent: [KafkaDeliveryReport] = []
        for index in 0..<20 {
            let key = "user-\(index % 3)"
            let report = try await producer.send(
                KafkaProducerRecord(
                    topic: topic, key: Array(key.utf8), value: Array("value-\(index)".utf8),
                    headers: [
                        KafkaHeader(key: "event-id", string: "event-\(index)"),
                        KafkaHeader(key: "binary", value: [0, 1, 2, 255]),
                        KafkaHeader(key: "empty", value: nil),
                    ]))
            #expect(report.topic == topic)
            #expect(report.offset >= 0)
            sent.append(report)
        }
        await producer.shutdown()

        let consumer = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: TestEnvironment.uniqueName("it-group"), topics: [topic]),
            logger: TestEnvironment.logger)
        let records = try await collect(consumer, count: 20)
        await consumer.close()

        #expect(records.count == 20)
        for record in records {
            let index = Int(String(decoding: record.value, as: UTF8.self).dropFirst("value-".count))!
            #expect(record.key.map { String(decoding: $0, as: UTF8.self) } == "user-\(index % 3)")
            #expect(record.header("event-id") == "event-\(index)")
            #expect(record.headers.first { $0.key == "binary" }?.value == [0, 1, 2, 255])
            #expect(record.headers.first { $0.key == "empty" }.map { $0.value == nil } == true)
            let report = sent[index]
            #expect(record.partition == report.partition && record.offset == report.offset)
        }
        // Per-key order: within each key, values arrive in send order.
        for key in 0..<3 {
            let indices = records.filter { $0.key == Array("user-\(key)".utf8) }
                .map { Int(String(decoding: $0.value, as: UTF8.self).dropFirst("value-".count))! }
            #expect(indices == indices.sorted())
        }
    }

    @Test(
        "a batch send acknowledges every record in order, also through a local queue smaller than the batch",
        arguments: [500_000, 7])
    func batchSend(queueCapacity: Int) async throws {
        let topic = TestEnvironment.uniqueName("it.kafka.batch")
        try await createTopic(topic, partitions: 1)
        var configuration = settings.producerConfiguration()
        configuration.maxQueuedMessages = queueCapacity
        configuration.enqueueTimeoutMilliseconds = 60_000
        let producer = try KafkaProducer(configuration: configuration, logger: TestEnvironment.logger)
        let records = (0..<500).map {
            KafkaProducerRecord(topic: topic, key: Array("k".utf8), value: Array("v\($0)".utf8))
        }
        let results = await producer.send(batch: records)
        let offsets = try results.map { try $0.get().offset }
        #expect(offsets == Array(offsets.first!..<(offsets.first! + 500)))
        await producer.shutdown()
    }

    @Test("a restarted consumer resumes at the offsets the application supplies, not the group's")
    func applicationOffsets() async throws {
        let topic = TestEnvironment.uniqueName("it.kafka.offsets")
        try await createTopic(topic, partitions: 1)
        try await produceKeyed(10, to: topic)

        let group = TestEnvironment.uniqueName("it-offsets")
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        // First run: read everything, commit to the group only up to offset 4 (as if the app crashed later).
        let first = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: group, topics: [topic]), logger: TestEnvironment.logger)
        let firstRecords = try await collect(first, count: 10)
        #expect(firstRecords.map(\.offset) == Array(0..<10))
        try await first.commit([partition: 4])
        #expect(try await first.committedOffsets(for: [partition])[partition] == 4)
        await first.close()

        // Second run: the application's own store says 7 was the next to process — that wins over the group's 4.
        let provided = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: group, topics: [topic]), logger: TestEnvironment.logger,
            offsetProvider: { partitions in
                #expect(partitions == [partition])
                return [partition: 7]
            })
        let resumed = try await collect(provided, count: 3)
        #expect(resumed.map(\.offset) == [7, 8, 9])
        await provided.close()

        // Third run without a provider: the group's committed offset applies.
        let fallback = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: group, topics: [topic]), logger: TestEnvironment.logger)
        let fromGroup = try await collect(fallback, count: 6)
        #expect(fromGroup.map(\.offset) == [4, 5, 6, 7, 8, 9])
        await fallback.close()
    }

    @Test("the batch loop pauses while assigned partitions cannot be positioned (their offsets' database down), then consumes")
    func positioningRetried() async throws {
        let topic = TestEnvironment.uniqueName("it.kafka.position")
        try await createTopic(topic, partitions: 1)
        try await produceKeyed(3, to: topic)

        struct DatabaseDown: Error {}
        let attempts = NIOLockedValueBox(0)
        let consumer = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: TestEnvironment.uniqueName("it-position"), topics: [topic]),
            logger: TestEnvironment.logger,
            offsetProvider: { _ in
                let attempt = attempts.withLockedValue { attempts in
                    attempts += 1
                    return attempts
                }
                if attempt <= 2 { throw DatabaseDown() }
                return [:]
            })
        let consumed = NIOLockedValueBox<[Int64]>([])
        let loop = Task {
            try await ConsumerBatches(size: 10, wait: .milliseconds(10)).run(consumer, logger: TestEnvironment.logger) { records in
                consumed.withLockedValue { $0 += records.map(\.offset) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(40)
        while consumed.withLockedValue({ $0.count }) < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        loop.cancel()
        try await loop.value  // the failed positionings did not end the loop with an error
        #expect(consumed.withLockedValue { $0 } == [0, 1, 2])
        #expect(attempts.withLockedValue { $0 } == 3)
        await consumer.close()
    }

    /// Polls until an event matching `wanted` arrives, the deadline passes or the task is cancelled.
    func awaitEvent(
        _ consumer: KafkaConsumer, timeout: Duration = .seconds(30), _ wanted: (KafkaConsumerEvent) -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch try await consumer.poll(timeout: .milliseconds(200)) {
            case .event(let event) where wanted(event): return true
            case .closed: return false
            case .event, .timedOut: continue
            }
        }
        return false
    }

    @Test("a member closed mid-rebalance (a revocation it stopped polling before answering) settles it, then leaves; the group goes on")
    func closeWithUnansweredRevocation() async throws {
        let topic = TestEnvironment.uniqueName("it.kafka.revoke")
        try await createTopic(topic)
        let group = TestEnvironment.uniqueName("it-revoke")
        let configuration = settings.consumerConfiguration(groupID: group, topics: [topic])
        let first = try KafkaConsumer(configuration: configuration, logger: TestEnvironment.logger)
        #expect(try await awaitEvent(first) { if case .partitionsAssigned = $0 { true } else { false } })
        // A second member joins; the first is told to give its partitions up and, like a worker whose shutdown began,
        // flushes and stops polling without answering.
        let second = try KafkaConsumer(configuration: configuration, logger: TestEnvironment.logger)
        let joining = Task { try await awaitEvent(second) { if case .partitionsAssigned = $0 { true } else { false } } }
        #expect(try await awaitEvent(first) { if case .partitionsRevoked = $0 { true } else { false } })
        let started = ContinuousClock.now
        #expect(await first.close(timeout: .seconds(10)), "the close ran out its timeout")
        #expect(ContinuousClock.now - started < .seconds(8))
        // The group goes on without it: the second member ends up with every partition.
        #expect(try await joining.value)
        let deadline = ContinuousClock.now + .seconds(30)
        while second.assignment.count < 2, ContinuousClock.now < deadline {
            _ = try await second.poll(timeout: .milliseconds(200))
        }
        #expect(second.assignment.count == 2)
        #expect(await second.close())
    }

    @Test("a member stopped while it is still joining leaves the group usable for the others")
    func closeWhileJoining() async throws {
        let topic = TestEnvironment.uniqueName("it.kafka.joining")
        try await createTopic(topic)
        let configuration = settings.consumerConfiguration(groupID: TestEnvironment.uniqueName("it-joining"), topics: [topic])
        let steady = try KafkaConsumer(configuration: configuration, logger: TestEnvironment.logger)
        #expect(try await awaitEvent(steady) { if case .partitionsAssigned = $0 { true } else { false } })
        // The steady member keeps consuming (answering rebalances) for the rest of the test.
        let revocations = Task {
            var count = 0
            while !Task.isCancelled {
                if case .event(.partitionsRevoked) = try await steady.poll(timeout: .milliseconds(100)) { count += 1 }
            }
            return count
        }
        let late = try KafkaConsumer(configuration: configuration, logger: TestEnvironment.logger)
        try await Task.sleep(for: .milliseconds(500))  // its join is under way
        let started = ContinuousClock.now
        #expect(await late.close(timeout: .seconds(8)), "the close ran out its timeout")
        #expect(ContinuousClock.now - started < .seconds(6))
        // The group settles again with every partition on the steady member.
        try await Task.sleep(for: .seconds(1))
        let deadline = ContinuousClock.now + .seconds(30)
        while steady.assignment.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        revocations.cancel()
        #expect(try await revocations.value >= 1, "the late member's join never reached the group")
        #expect(steady.assignment.count == 2)
        #expect(await steady.close())
    }

    @Test("an unreachable broker fails fast instead of hanging")
    func unreachableBroker() async throws {
        var client = settings.kafka
        client.bootstrapServers = ["127.0.0.1:1"]
        var configuration = KafkaProducerConfiguration(client: client)
        configuration.messageTimeoutMilliseconds = 1_000
        let producer = try KafkaProducer(configuration: configuration, logger: TestEnvironment.logger)
        let started = ContinuousClock.now
        await #expect(throws: KafkaError.self) { try await producer.checkBrokers(timeout: .milliseconds(500)) }
        await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerRecord(topic: "nowhere", key: Array("k".utf8), value: [1]))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        await producer.shutdown(timeout: .seconds(1))
    }
}
