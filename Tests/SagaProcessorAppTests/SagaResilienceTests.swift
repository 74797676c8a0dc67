import AvroKit
import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

extension SagaProcessorTests {
    @Test("kill -9 after the state committed, before the outputs were published: each appears exactly once after restart")
    func crashBeforePublish() async throws {
        let user = SagaTests.newID("crash")
        try await SagaTests.seedCredits(user, amount: 20)
        let requests = (0..<20).map { _ in UUID().uuidString.lowercased() }
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        // A processor that commits but never publishes: the crash window held open.
        let silent = try SagaTests.launch(extra: ["OUTBOX_RELAY_ENABLED": "false"])
        try await TestEvents.publish(requests.map { SagaTests.intent(user, request: $0) })
        let committed = try await TestEvents.eventually(timeout: .seconds(30)) {
            try await SagaTests.credits(user).entries == 21
        }
        silent.killNow()
        #expect(committed)
        #expect(collector.events(on: "public.media.upload.approved") { $0.has("user_id", user) }.isEmpty)
        let process = try SagaTests.launch()
        defer { SagaTests.stop(process) }
        let approved = try await collector.wait(for: 20, on: "public.media.upload.approved") { $0.has("user_id", user) }
        // Stop the restarted processor only once it consumes (a member leaving mid-join can stall the local broker's
        // group).
        try await SagaTests.awaitConsuming(collector, markers: 1)
        let final = collector.events(on: "public.media.upload.approved") { $0.has("user_id", user) }
        #expect(approved.count == 20 && final.count == 20)
        #expect(Set(final.compactMap { $0.payload["request_id"]?.stringValue }) == Set(requests))
        #expect(Set(final.compactMap(\.eventID)).count == 20)
        let credits = try await SagaTests.credits(user)
        #expect(credits.balance == 0 && credits.ledgerSum == 0 && credits.entries == 21)
    }

    @Test("timers that came due while no processor ran fire after one starts")
    func timersFireAfterDowntime() async throws {
        let user = SagaTests.newID("down")
        let request = UUID().uuidString.lowercased()
        let path = SagaTests.stagingPath(user, request: request)
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await SagaTests.withProcessor(extra: ["UPLOAD_TTL_SECONDS": "3"]) {
            try await SagaTests.armUploadTimer(user, request: request)
        }
        try await Task.sleep(for: .seconds(4))
        #expect(collector.events(on: "public.media.expired.events") { $0.has("request_id", request) }.isEmpty)
        #expect(try await SagaTests.armedTimers(saga: "upload-ttl", key: path) == 1)
        try await SagaTests.withProcessor {
            let expired = try await collector.wait(for: 1, on: "public.media.expired.events") { $0.has("request_id", request) }
            #expect(expired.count == 1)
        }
    }

    @Test("two instances side by side: 2,000 sagas, every credit and timer exactly right")
    func twoInstances() async throws {
        let users = (0..<50).map { _ in SagaTests.newID("pair") }
        let intentsPerUser = 40
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        let first = try SagaTests.launch(extra: ["UPLOAD_TTL_SECONDS": "3"])
        let second = try SagaTests.launch(extra: ["UPLOAD_TTL_SECONDS": "3"])
        defer {
            SagaTests.stop(first)
            SagaTests.stop(second)
        }
        // Signups (+2 each), then 40 intents per user: exactly 2 approved per user.
        try await TestEvents.publish(users.map { SagaTests.signup($0) })
        var requests: [String: [String]] = [:]
        var intents: [TestEvents.Event] = []
        for user in users {
            let ids = (0..<intentsPerUser).map { _ in UUID().uuidString.lowercased() }
            requests[user] = ids
            intents += ids.map { SagaTests.intent(user, request: $0) }
        }
        let usersSet = Set(users)
        let ours: (JSONValue) -> Bool = { usersSet.contains($0["user_id"]?.stringValue ?? "") }
        _ = try await collector.wait(for: users.count, on: "public.credit.balance_changed.events", timeout: .seconds(60), where: ours)
        try await TestEvents.publish(intents)
        let decided = users.count * intentsPerUser
        let approvedEvents = try await collector.wait(for: users.count * 2, on: "public.media.upload.approved", timeout: .seconds(120), where: ours)
        let rejectedEvents = try await collector.wait(
            for: decided - users.count * 2, on: "public.media.upload.rejected", timeout: .seconds(120), where: ours)
        #expect(approvedEvents.count == users.count * 2)
        #expect(rejectedEvents.count == decided - users.count * 2)
        // Timers: of each user's two approved uploads, the first is uploaded in time (and moved), the second expires
        // and refunds.
        var signed: [TestEvents.Event] = []
        var uploaded: [TestEvents.Event] = []
        var expectedExpired: Set<String> = []
        for user in users {
            let approved = approvedEvents.filter { $0.payload.has("user_id", user) }.compactMap { $0.payload["request_id"]?.stringValue }.sorted()
            guard approved.count == 2 else { continue }
            signed += approved.map { SagaTests.signed(user, request: $0) }
            uploaded += [SagaTests.received(user, request: approved[0]), SagaTests.ready(user, request: approved[0])]
            expectedExpired.insert(approved[1])
        }
        try await TestEvents.publish(signed)
        try await TestEvents.publish(uploaded)
        let expired = try await collector.wait(
            for: expectedExpired.count, on: "public.media.expired.events", timeout: .seconds(60), where: ours)
        try await Task.sleep(for: .seconds(4))
        let finalExpired = collector.events(on: "public.media.expired.events", where: ours)
        #expect(expired.count == users.count && finalExpired.count == users.count)
        #expect(Set(finalExpired.compactMap { $0.payload["request_id"]?.stringValue }) == expectedExpired)
        #expect(collector.events(on: "public.media.upload.approved", where: ours).count == users.count * 2)
        for user in users {
            let credits = try await SagaTests.credits(user)
            // 2 (bonus) − 2 (two approved uploads) + 1 (one expired) = 1; the balance row equals the ledger's sum.
            #expect(credits.balance == 1 && credits.ledgerSum == 1, "user \(user): \(credits)")
        }
        // Two processes, one consumer group: both took part (each owns some partitions).
        #expect(first.isRunning && second.isRunning)
        // One at a time, each from a settled group (see `awaitConsuming`).
        SagaTests.stop(first)
        try await SagaTests.awaitConsuming(collector)
        SagaTests.stop(second)
    }

    @Test("SIGTERM: a consuming processor stops within seconds (its housekeeping's 10 s pause does not hold the drain up)")
    func promptShutdown() async throws {
        let collector = try TopicCollector(topics: ["public.credit.balance_changed.events"])
        defer { Task { await collector.stop() } }
        let process = try SagaTests.launch()
        try await SagaTests.awaitConsuming(collector, markers: 1)
        #expect(process.terminateGracefully(within: .seconds(5)), "still running 5 s after SIGTERM")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}
