import AvroKit
import Foundation
import KafkaKit
import MessageConsumerApp
import PostgresNIO
import Shared
import Testing
import TestSupport

@Suite("MessageConsumer against the local stack", .serialized, .timeLimit(.minutes(6)))
struct MaterializationTests {
    /// One event per catalogue topic, with every schema field filled.
    static func oneOfEach(user: String) throws -> [(topic: String, key: String, payload: JSONValue)] {
        let catalog = try AvroCatalog(directory: "\(TestEnvironment.repositoryRoot)/avro")
        return try NotificationCatalogue.topics.map { topic in
            let entry = try #require(catalog.entries.first { $0.topic == topic })
            let schema = try AvroSchema(json: entry.schemaJSON)
            guard case .record(let record) = schema.root else { throw InvalidEventError(description: "not a record") }
            var payload = JSONObject()
            for field in record.fields {
                switch field.type {
                case .string: payload[field.name] = .string(field.name == "user_id" ? user : "\(field.name)-value")
                case .int, .long: payload[field.name] = 3
                case .union(let union) where union.branches.contains(where: { if case .string = $0 { true } else { false } }):
                    payload[field.name] = .string("\(field.name)-value")
                default: payload[field.name] = field.defaultValue ?? .null
                }
            }
            if topic == "public.user.message.events" {
                payload["visibility"] = "direct"
                payload["recipient_id"] = "someone"
            }
            if topic == "public.credit.balance_changed.events" { payload["file_name"] = .null }
            return (topic, user, .object(payload))
        }
    }

    @Test("every catalogue event produces exactly its row")
    func everyType() async throws {
        let user = "mc-\(UUID().uuidString.lowercased())"
        let events = try Self.oneOfEach(user: user)
        let ids = try await ConsumerTests.publish(events)
        let complete = try await ConsumerTests.withConsumer {
            // By source event: a SagaProcessor under test at the same time may add rows of its own (the signup's bonus).
            try await ConsumerTests.eventually { try await ConsumerTests.written(ids) == ids.count }
        }
        #expect(complete)
        try await TestEnvironment.withPostgres { client in
            var byType: [String: (String, String, String, String?, String)] = [:]
            let rows = try await client.query(
                """
                SELECT event_type, payload, event_time, recipient_id, source_event_id, visibility FROM user_notifications
                WHERE user_id = \(user) AND source_event_id = ANY(\(ids))
                """,
                logger: TestEnvironment.logger)
            for try await (type, payload, time, recipient, source, visibility) in rows.decode((String, String, String, String?, String, String).self) {
                byType[type] = (payload, time, visibility, recipient, source)
            }
            #expect(Set(byType.keys) == [
                "user.message", "identity.login", "identity.signup", "identity.signout", "credit.balance_changed",
                "media.upload_ready", "media.upload_rejected", "media.upload_completed", "media.upload_expired",
                "media.upload_failed", "media.download_ready", "media.download_rejected", "media.file_deleted",
                "media.delete_rejected",
            ])
            #expect(Set(byType.values.map(\.4)) == Set(ids))
            let message = try #require(byType["user.message"])
            #expect(try JSONValue.parse(message.0) == ["email": "email-value", "message": "message-value"])
            #expect(message.2 == "direct" && message.3 == "someone")
            let deleted = try #require(byType["media.file_deleted"])
            #expect(try JSONValue.parse(deleted.0)["request_id"] == "request_id-value")
            #expect(deleted.1 == "delete_time-value")
            let rejected = try #require(byType["media.delete_rejected"])
            #expect(try JSONValue.parse(rejected.0)["request_id"] == "request_id-value")
        }
    }

    @Test("a poison record goes to the dead-letter topic with headers; its partition keeps flowing")
    func poison() async throws {
        let user = "mc-poison-\(UUID().uuidString.lowercased())"
        let settings = try TestEnvironment.settings()
        let dlqTopic = try await ConsumerTests.createDeadLetterTopic()
        let producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: TestEnvironment.logger)
        // Same key → same partition: garbage, an unknown schema id, then a valid event.
        let garbage = try await producer.send(
            KafkaProducerRecord(topic: "public.user.message.events", key: Array(user.utf8), value: Array("not avro".utf8)))
        let unknownSchema = try await producer.send(
            KafkaProducerRecord(topic: "public.user.message.events", key: Array(user.utf8), value: [0, 0x7f, 0xff, 0xff, 0xff, 1, 2]))
        await producer.shutdown()
        try await ConsumerTests.publish(ConsumerTests.messages(user: user, count: 1))

        let flowed = try await ConsumerTests.withConsumer(dlqTopic: dlqTopic) {
            try await ConsumerTests.eventually { try await ConsumerTests.counts(user: user).rows == 1 }
        }
        #expect(flowed)
        // Found by source position.
        func position(_ record: KafkaConsumerRecord) -> String? {
            guard record.header("dlq-source-topic") == "public.user.message.events",
                let partition = record.header("dlq-source-partition"), let offset = record.header("dlq-source-offset")
            else { return nil }
            return "\(partition):\(offset)"
        }
        let wanted = ["\(garbage.partition):\(garbage.offset)", "\(unknownSchema.partition):\(unknownSchema.offset)"]
        let read = try await ConsumerTests.deadLetters(on: dlqTopic) { records in
            Set(wanted).isSubset(of: records.compactMap(position))
        }
        var parked: [String: KafkaConsumerRecord] = [:]
        for record in read { if let position = position(record) { parked[position] = record } }
        let first = try #require(parked[wanted[0]])
        #expect(first.value == Array("not avro".utf8))
        #expect(first.header("dlq-source-topic") == "public.user.message.events")
        #expect(first.header("dlq-source-partition") == String(garbage.partition))
        #expect(first.header("dlq-error-kind") == "decode")
        #expect(first.header("dlq-error")?.isEmpty == false)
        let second = try #require(parked[wanted[1]])
        #expect(second.header("dlq-error-kind") == "schema")
    }

    @Test("a record whose row Postgres refuses goes to the dead-letter topic; the records around it are written")
    func refusedRow() async throws {
        let user = "mc-refused-\(UUID().uuidString.lowercased())"
        let dlqTopic = try await ConsumerTests.createDeadLetterTopic()
        let recipient = TestEvents.unindexableID()
        var events = ConsumerTests.messages(user: user, count: 3)
        events[1].payload = [
            "user_id": .string(user), "email": .string("\(user)@example.com"), "message": "to a recipient no index can hold",
            "timestamp": "2026-11-23T10:00:00Z", "visibility": "direct", "recipient_id": .string(recipient),
        ]
        let ids = try await ConsumerTests.publish(events)

        let flowed = try await ConsumerTests.withConsumer(dlqTopic: dlqTopic) {
            try await ConsumerTests.eventually { try await ConsumerTests.counts(user: user).rows == 2 }
        }
        #expect(flowed)
        let read = try await ConsumerTests.deadLetters(on: dlqTopic) { records in
            records.contains { $0.header(EventHeaders.eventID) == ids[1] }
        }
        let parked = try #require(read.first { $0.header(EventHeaders.eventID) == ids[1] })
        #expect(parked.header("dlq-error-kind") == "database_refused")
        #expect(parked.header("dlq-error")?.contains("54000") == true)
        try await TestEnvironment.withPostgres { client in
            let rows = try await client.query(
                "SELECT source_event_id FROM user_notifications WHERE user_id = \(user) ORDER BY id", logger: TestEnvironment.logger)
            var written: [String] = []
            for try await id in rows.decode(String.self) { written.append(id) }
            #expect(written == [ids[0], ids[2]])
        }
    }

    @Test("Postgres connections cut mid-stream: no loss, no duplicate, processing resumes")
    func databaseOutage() async throws {
        let user = "mc-pg-\(UUID().uuidString.lowercased())"
        let clientID = "mc-outage-\(UUID().uuidString.prefix(8))"
        try await ConsumerTests.withConsumer(clientID: clientID) {
            let producing = Task { try await ConsumerTests.publish(ConsumerTests.messages(user: user, count: 3_000)) }
            // Cut the consumer's sessions repeatedly for three seconds while events flow.
            let until = ContinuousClock.now + .seconds(3)
            try await TestEnvironment.withPostgres { client in
                while ContinuousClock.now < until {
                    _ = try await client.query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(clientID)",
                        logger: TestEnvironment.logger)
                    try await Task.sleep(for: .milliseconds(150))
                }
            }
            _ = try await producing.value
            let caughtUp = try await ConsumerTests.eventually { try await ConsumerTests.counts(user: user).rows >= 3_000 }
            #expect(caughtUp)
        }
        let counts = try await ConsumerTests.counts(user: user)
        #expect(counts.rows == 3_000 && counts.distinct == 3_000)
    }

    @Test("kill -9 during a stream of 20,000 events, restart: one row per event")
    func crashAndRestart() async throws {
        let executable = ConsumerTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build with `swift build --build-tests` first")
        let user = "mc-crash-\(UUID().uuidString.lowercased())"
        let group = "mc-crash-\(UUID().uuidString.prefix(8))"
        let dlq = "it.dlq.\(UUID().uuidString.prefix(8))"
        let first = try ConsumerTests.launch(group: group, dlqTopic: dlq)
        let producing = Task { try await ConsumerTests.publish(ConsumerTests.messages(user: user, count: 20_000)) }
        // Kill it hard once it is part-way through.
        _ = try await ConsumerTests.eventually(timeout: .seconds(60)) { try await ConsumerTests.counts(user: user).rows >= 2_000 }
        first.killNow()
        let atCrash = try await ConsumerTests.counts(user: user).rows
        _ = try await producing.value
        let second = try ConsumerTests.launch(group: group, dlqTopic: dlq)
        defer { second.stopExpectingGracefulExit("MessageConsumer") }
        #expect(try await ConsumerTests.eventually(timeout: .seconds(120)) { try await ConsumerTests.counts(user: user).rows >= 20_000 })
        try await Task.sleep(for: .seconds(1))  // anything extra would show up now
        let counts = try await ConsumerTests.counts(user: user)
        #expect(atCrash < 20_000, "the crash should interrupt the stream")
        #expect(counts.rows == 20_000 && counts.distinct == 20_000)
    }

    @Test("a second instance joining mid-stream changes nothing in the totals")
    func secondInstance() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConsumerTests.executable))
        let user = "mc-scale-\(UUID().uuidString.lowercased())"
        let group = "mc-scale-\(UUID().uuidString.prefix(8))"
        let dlq = "it.dlq.\(UUID().uuidString.prefix(8))"
        let first = try ConsumerTests.launch(group: group, dlqTopic: dlq)
        defer { first.stopExpectingGracefulExit("MessageConsumer") }
        let producing = Task {
            try await ConsumerTests.publish(ConsumerTests.messages(user: user, count: 5_000))
            try await Task.sleep(for: .seconds(2))
            try await ConsumerTests.publish(ConsumerTests.messages(user: user, count: 5_000, start: 5_000))
        }
        _ = try await ConsumerTests.eventually(timeout: .seconds(60)) { try await ConsumerTests.counts(user: user).rows >= 1_000 }
        let second = try ConsumerTests.launch(group: group, dlqTopic: dlq)
        defer { second.stopExpectingGracefulExit("MessageConsumer") }
        _ = try await producing.value
        #expect(try await ConsumerTests.eventually(timeout: .seconds(120)) { try await ConsumerTests.counts(user: user).rows >= 10_000 })
        try await Task.sleep(for: .seconds(1))
        let counts = try await ConsumerTests.counts(user: user)
        #expect(counts.rows == 10_000 && counts.distinct == 10_000)
    }

    @Test("SIGTERM: a consuming consumer stops within seconds (its lag reporter's 10 s pause does not hold the drain up)")
    func promptShutdown() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConsumerTests.executable))
        let process = try ConsumerTests.launch(
            group: "mc-stop-\(UUID().uuidString.prefix(8))", dlqTopic: "it.dlq.\(UUID().uuidString.prefix(8))")
        // Consuming (a message comes out as a row), and its periodic loops are pausing.
        let user = "mc-stop-\(UUID().uuidString.lowercased())"
        _ = try await ConsumerTests.publish(ConsumerTests.messages(user: user, count: 1))
        #expect(try await ConsumerTests.eventually(timeout: .seconds(60)) { try await ConsumerTests.counts(user: user).rows == 1 })
        #expect(process.terminateGracefully(within: .seconds(5)), "still running 5 s after SIGTERM")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}
