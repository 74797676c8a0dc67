import AvroKit
import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The sagas driven through Kafka on the local stack. One serialized suite: every test shares the processor's
/// consumer group (and the resilience tests need to be the only relay running).
@Suite("SagaProcessor against the local stack", .serialized, .mediaPipeline, .timeLimit(.minutes(5)))
struct SagaProcessorTests {
    static let outputs = [
        "public.media.upload.approved", "public.media.upload.rejected", "public.credit.balance_changed.events",
        "public.media.expired.events", "public.media.upload.confirmed", "internal.media.upload.retry",
        "internal.media.upload.dead-letter",
    ]

    @Test("signup: +2 credits once, one balance change; a redelivered signup changes nothing")
    func signupBonus() async throws {
        let user = SagaTests.newID("signup")
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await SagaTests.withProcessor {
            try await TestEvents.publish([SagaTests.signup(user), SagaTests.signup(user)])
            let changes = try await collector.wait(for: 1, on: "public.credit.balance_changed.events") { $0.has("user_id", user) }
            #expect(changes.count == 1)
            #expect(changes.first?.payload["amount"] == 2 && changes.first?.payload["balance"] == 2)
            #expect(changes.first?.payload["reason"] == "signup_bonus")
            // The redelivery, once more after the first was applied.
            try await TestEvents.publish([SagaTests.signup(user)])
            try await Task.sleep(for: .seconds(1))
        }
        let credits = try await SagaTests.credits(user)
        #expect(credits.balance == 2 && credits.ledgerSum == 2 && credits.entries == 1)
        #expect(collector.events(on: "public.credit.balance_changed.events") { $0.has("user_id", user) }.count == 1)
    }

    @Test("credit check: 50 concurrent intents with 3 credits approve exactly 3; redelivered intents deduct nothing")
    func creditCheck() async throws {
        let user = SagaTests.newID("credit")
        try await SagaTests.seedCredits(user, amount: 3)
        let requests = (0..<50).map { _ in UUID().uuidString.lowercased() }
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await SagaTests.withProcessor {
            try await TestEvents.publish(requests.map { SagaTests.intent(user, request: $0) })
            let approved = try await collector.wait(for: 3, on: "public.media.upload.approved") { $0.has("user_id", user) }
            let rejected = try await collector.wait(for: 47, on: "public.media.upload.rejected") { $0.has("user_id", user) }
            #expect(approved.count == 3 && rejected.count == 47)
            #expect(rejected.allSatisfy { $0.payload["reason"] == "insufficient_credits" })
            #expect(approved.allSatisfy { $0.payload["file_name"] == "photo.png" && $0.payload["file_size"] == 1234 })
            // Redeliver every intent: no decision changes, nothing is emitted again.
            try await TestEvents.publish(requests.map { SagaTests.intent(user, request: $0) })
            try await Task.sleep(for: .seconds(2))
        }
        let credits = try await SagaTests.credits(user)
        #expect(credits.balance == 0 && credits.ledgerSum == 0 && credits.entries == 4)
        #expect(collector.events(on: "public.media.upload.approved") { $0.has("user_id", user) }.count == 3)
        #expect(collector.events(on: "public.media.upload.rejected") { $0.has("user_id", user) }.count == 47)
        let changes = collector.events(on: "public.credit.balance_changed.events") { $0.has("user_id", user) }
        #expect(changes.count == 3 && changes.allSatisfy { $0.payload["amount"] == -1 && $0.payload["reason"] == "upload_deducted" })
        #expect(changes.compactMap { $0.payload["balance"] }.sorted { "\($0)" < "\($1)" } == [0, 1, 2])
    }

    @Test("TTL: an unused signed URL expires once with the intent's real file facts and refunds once; duplicates arm nothing")
    func uploadExpires() async throws {
        let user = SagaTests.newID("ttl")
        let request = UUID().uuidString.lowercased()
        try await SagaTests.seedCredits(user, amount: 1)
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await SagaTests.withProcessor {
            try await TestEvents.publish([SagaTests.intent(user, request: request, size: 777)])
            _ = try await collector.wait(for: 1, on: "public.media.upload.approved") { $0.has("request_id", request) }
            // Signed twice (a redelivery): one timer.
            try await TestEvents.publish([SagaTests.signed(user, request: request), SagaTests.signed(user, request: request)])
            let expired = try await collector.wait(for: 1, on: "public.media.expired.events") { $0.has("request_id", request) }
            let event = try #require(expired.first?.payload)
            #expect(event["file_name"] == "photo.png" && event["file_size"] == 777 && event["media_type"] == "image/png")
            #expect(event["file_path"]?.stringValue == SagaTests.stagingPath(user, request: request))
            #expect(event["request_time"] == "2026-11-23T10:00:01Z")
            // A signed event after the expiry is a duplicate too.
            try await TestEvents.publish([SagaTests.signed(user, request: request)])
            try await Task.sleep(for: .seconds(3))
        }
        #expect(collector.events(on: "public.media.expired.events") { $0.has("request_id", request) }.count == 1)
        let refunds = collector.events(on: "public.credit.balance_changed.events") {
            $0.has("user_id", user) && $0.has("reason", "upload_expired")
        }
        #expect(refunds.count == 1 && refunds.first?.payload["balance"] == 1)
        let credits = try await SagaTests.credits(user)
        #expect(credits.balance == 1 && credits.ledgerSum == 1)
        #expect(try await SagaTests.armedTimers(saga: "upload-ttl", key: SagaTests.stagingPath(user, request: request)) == 0)
    }

    @Test("TTL: the upload arriving in time disarms the timer; nothing expires")
    func uploadInTime() async throws {
        let user = SagaTests.newID("ttl-ok")
        let request = UUID().uuidString.lowercased()
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await SagaTests.withProcessor {
            try await SagaTests.armUploadTimer(user, request: request)
            try await TestEvents.publish([SagaTests.received(user, request: request)])
            try await Task.sleep(for: .seconds(3))
        }
        #expect(collector.events(on: "public.media.expired.events") { $0.has("request_id", request) }.isEmpty)
        #expect(try await SagaTests.armedTimers(saga: "upload-ttl", key: SagaTests.stagingPath(user, request: request)) == 0)
    }

    @Test("TTL: an upload the MediaService recorded before the timer fired counts, though its upload.received is late")
    func uploadSeenBeforeItsEvent() async throws {
        let user = SagaTests.newID("ttl-late")
        let request = UUID().uuidString.lowercased()
        let staging = SagaTests.stagingPath(user, request: request)
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await SagaTests.withProcessor {
            try await SagaTests.armUploadTimer(user, request: request)
            // The MediaService saw the object; its upload.received has not reached the processor yet.
            try await TestEnvironment.withPostgres { client in
                _ = try await client.query(
                    "INSERT INTO media_object_events (kind, object_key, etag) VALUES ('upload', \(staging), 'e1')",
                    logger: TestEnvironment.logger)
            }
            _ = try await TestEvents.eventually(timeout: .seconds(10)) {
                try await SagaTests.armedTimers(saga: "upload-ttl", key: staging) == 0
            }
            try await TestEvents.publish([SagaTests.received(user, request: request)])
            try await Task.sleep(for: .seconds(2))
        }
        #expect(collector.events(on: "public.media.expired.events") { $0.has("request_id", request) }.isEmpty)
        #expect(collector.events(on: "public.credit.balance_changed.events") { $0.has("user_id", user) }.isEmpty)
    }

    @Test("move: received + ready (either order) confirm once and write one media_files row; redeliveries change nothing")
    func moveConfirms() async throws {
        let user = SagaTests.newID("move")
        let first = UUID().uuidString.lowercased()
        let second = UUID().uuidString.lowercased()
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await SagaTests.withProcessor {
            try await TestEvents.publish([
                SagaTests.signed(user, request: first),
                SagaTests.received(user, request: first), SagaTests.ready(user, request: first, size: 999),
                SagaTests.ready(user, request: second), SagaTests.received(user, request: second),
            ])
            let confirmed = try await collector.wait(for: 2, on: "public.media.upload.confirmed") { $0.has("user_id", user) }
            #expect(confirmed.count == 2)
            let one = try #require(confirmed.first { $0.payload.has("file_path", SagaTests.permanentPath(user, request: first)) })
            #expect(one.payload["file_size"] == 999 && one.payload["media_type"] == "image/png")
            try await TestEvents.publish([
                SagaTests.received(user, request: first), SagaTests.ready(user, request: first),
                SagaTests.ready(user, request: second),
            ])
            try await Task.sleep(for: .seconds(3))
        }
        #expect(collector.events(on: "public.media.upload.confirmed") { $0.has("user_id", user) }.count == 2)
        #expect(collector.events(on: "internal.media.upload.retry") { $0.has("user_id", user) }.isEmpty)
        #expect(try await SagaTests.scalar("SELECT count(*)::int FROM media_files WHERE user_id = \(user)") == 2)
        #expect(try await SagaTests.scalar(
            "SELECT count(*)::int FROM media_files WHERE user_id = \(user) AND request_id = \(first) AND file_size = 999") == 1)
    }

    @Test("move: a missing permanent object is retried with the count unchanged, then dead-lettered with one refund")
    func moveDeadLetters() async throws {
        let user = SagaTests.newID("dlq")
        let request = UUID().uuidString.lowercased()
        try await SagaTests.seedCredits(user, amount: 1)
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await SagaTests.withProcessor {
            try await TestEvents.publish([SagaTests.intent(user, request: request)])
            _ = try await collector.wait(for: 1, on: "public.media.upload.approved") { $0.has("request_id", request) }
            try await TestEvents.publish([SagaTests.signed(user, request: request), SagaTests.received(user, request: request)])
            // Play the MediaService: every retry moves again and re-emits `upload.received` with retry_count + 1.
            for attempt in 0..<3 {
                let retries = try await collector.wait(for: attempt + 1, on: "internal.media.upload.retry") { $0.has("user_id", user) }
                #expect(retries.count == attempt + 1)
                #expect(retries.last?.payload["retry_count"] == .int(Int64(attempt)))
                try await TestEvents.publish([SagaTests.received(user, request: request, retry: Int64(attempt + 1))])
            }
            let dead = try await collector.wait(for: 1, on: "internal.media.upload.dead-letter") { $0.has("user_id", user) }
            #expect(dead.first?.payload["retry_count"] == 3)
            #expect(dead.first?.payload["failure_reason"] == "max retries exceeded")
            _ = try await collector.wait(for: 2, on: "public.credit.balance_changed.events") { $0.has("user_id", user) }
            try await Task.sleep(for: .seconds(2))
        }
        #expect(collector.events(on: "internal.media.upload.retry") { $0.has("user_id", user) }.count == 3)
        #expect(collector.events(on: "internal.media.upload.dead-letter") { $0.has("user_id", user) }.count == 1)
        #expect(collector.events(on: "public.media.upload.confirmed") { $0.has("user_id", user) }.isEmpty)
        let refund = collector.events(on: "public.credit.balance_changed.events") { $0.has("user_id", user) && $0.has("reason", "upload_failed") }
        #expect(refund.count == 1 && refund.first?.payload["request_id"]?.stringValue == request)
        let credits = try await SagaTests.credits(user)
        #expect(credits.balance == 1 && credits.ledgerSum == 1)
    }

    @Test("an input that can never be handled goes to the dead-letter topic; the rest keeps flowing")
    func invalidInput() async throws {
        let user = SagaTests.newID("invalid")
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        var bad = SagaTests.intent(user, request: "")
        bad.payload = ["user_id": .string(user), "file_name": "x", "media_type": "image/png", "file_size": 1, "request_id": "", "request_time": "t"]
        try await SagaTests.withProcessor {
            try await TestEvents.publish([bad, SagaTests.signup(user)])
            let changes = try await collector.wait(for: 1, on: "public.credit.balance_changed.events") { $0.has("user_id", user) }
            #expect(changes.count == 1)
        }
    }

    @Test("an input whose writes Postgres refuses goes to the dead-letter topic; the rest of its partition keeps flowing")
    func refusedInput() async throws {
        let user = SagaTests.newID("refused")
        // The signup bonus cannot store its state for this user id.
        let unstorable = TestEvents.unindexableID()
        let deadLetters = "internal.saga-processor.dead-letter"
        let collector = try TopicCollector(topics: Self.outputs + [deadLetters])
        defer { Task { await collector.stop() } }
        var poison = SagaTests.signup(unstorable)
        poison.key = user  // the same partition as the good signup after it
        try await SagaTests.withProcessor {
            try await TestEvents.publish([poison, SagaTests.signup(user)])
            let changes = try await collector.wait(for: 1, on: "public.credit.balance_changed.events") { $0.has("user_id", user) }
            #expect(changes.count == 1)
            let parked = try await collector.wait(for: 1, on: deadLetters) { $0.has("user_id", unstorable) }
            #expect(parked.count == 1)
        }
        #expect(try await SagaTests.credits(user).balance == 2)
        #expect(try await !SagaTests.stateExists(saga: "signup-bonus", key: unstorable))
    }
}
