import AsyncHTTPClient
import AvroKit
import Foundation
import NIOCore
import NIOHTTP1
import PostgresNIO
import S3Kit
import Shared
import Testing
import TestSupport

/// The MediaService against the stack's S3 emulator, driven through Kafka and its webhooks. Serialized: the tests
/// share the service's consumer group.
@Suite("MediaService against the local stack", .serialized, .mediaPipeline, .timeLimit(.minutes(3)))
struct MediaServiceTests {
    static let outputs = [
        "public.media.upload.signed", "internal.media.upload.received", "internal.media.file.ready",
        "internal.media.upload.dead-letter", "public.media.download.signed", "public.media.download.rejected",
        "public.media.delete.events", "public.media.delete.rejected", "internal.media.delete.retry",
        "internal.media.delete.dead-letter",
    ]

    @Test("approved → signed; the URL takes the upload with the bound type and size; the poller emits received and file.ready once, across restarts")
    func uploadFlow() async throws {
        let user = MediaTests.newID("up")
        let request = UUID().uuidString.lowercased()
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        let approved: TestEvents.Event = (
            "public.media.upload.approved", user,
            ["user_id": .string(user), "file_name": "../my photo.png", "media_type": "image/png", "file_size": 4,
             "request_id": .string(request), "request_time": "2026-11-23T10:00:00Z"]
        )
        let approvedID = UUID()
        // The name is sanitized into one key segment: no separators, no leading dots.
        let staging = "uploads/\(user)/\(request)/_my photo.png"
        let permanent = "files/\(user)/\(request)/_my photo.png"
        try await MediaTests.withService { _ in
            // Published twice with one event id, as a redelivery: one signed event.
            try await TestEvents.publish([approved, approved], eventIDs: [approvedID, approvedID])
            let signed = try await collector.wait(for: 1, on: "public.media.upload.signed") { $0["request_id"]?.stringValue == request }
            let event = try #require(signed.first?.payload)
            #expect(event["file_path"]?.stringValue == staging)
            #expect(event["expires_in"] == 900)
            let url = try #require(event["upload_url"]?.stringValue)
            // Bound to the approved type and size (the local S3 emulator does not check signatures; S3 and MinIO do).
            #expect(url.contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"))
            var put = HTTPClientRequest(url: url)
            put.method = .PUT
            put.headers.add(name: "Content-Type", value: "image/png")
            put.body = .bytes(ByteBuffer(bytes: [1, 2, 3, 4]))
            #expect(try await HTTPClient.shared.execute(put, timeout: .seconds(10)).status == .ok)
            let received = try await collector.wait(for: 1, on: "internal.media.upload.received") { $0["file_path"]?.stringValue == staging }
            #expect(received.first?.payload["file_size"] == 4 && received.first?.payload["media_type"] == "image/png")
            #expect(received.first?.payload["permanent_path"]?.stringValue == permanent)
            #expect(received.first?.payload["retry_count"] == 0)
            let ready = try await collector.wait(for: 1, on: "internal.media.file.ready") { $0["file_path"]?.stringValue == permanent }
            #expect(ready.first?.payload["file_size"] == 4)
            let (before, after) = try await MediaTests.withS3 { s3 in
                (try await s3.headObject(key: staging), try await s3.headObject(key: permanent))
            }
            #expect(before == nil && after?.size == 4)
        }
        // A restarted service lists the same objects again: nothing new.
        try await MediaTests.withService { _ in try await Task.sleep(for: .seconds(2)) }
        #expect(collector.events(on: "public.media.upload.signed") { $0["request_id"]?.stringValue == request }.count == 1)
        #expect(collector.events(on: "internal.media.upload.received") { $0["file_path"]?.stringValue == staging }.count == 1)
        #expect(collector.events(on: "internal.media.file.ready") { $0["file_path"]?.stringValue == permanent }.count == 1)
    }

    @Test("webhooks: 401 without or with a wrong token (and HEAD on health); MinIO's JSON drives received and file.ready, once per object")
    func webhooks() async throws {
        let user = MediaTests.newID("hook")
        let request = UUID().uuidString.lowercased()
        let staging = "uploads/\(user)/\(request)/pic 1.png"
        let permanent = "files/\(user)/\(request)/pic 1.png"
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await MediaTests.withService(extra: ["S3_EVENTS": "webhook"]) { base in
            try await MediaTests.withS3 { try await $0.putObject(key: staging, body: [1, 2, 3], contentType: "image/png") }
            let event = MediaTests.minioEvent(key: staging, size: 3, etag: "abc")
            // The worker's health and metrics answer HEAD as they answer GET (the router's autoGenerateHeadEndpoints).
            var head = HTTPClientRequest(url: base + "/health/live")
            head.method = .HEAD
            #expect(try await HTTPClient.shared.execute(head, timeout: .seconds(5)).status == .ok)
            #expect(try await MediaTests.post(base + "/webhooks/media-upload", token: nil, json: event) == 401)
            #expect(try await MediaTests.post(base + "/webhooks/media-upload", token: "wrong", json: event) == 401)
            #expect(try await MediaTests.post(base + "/webhooks/media-upload", token: MediaTests.webhookToken, json: "{") == 400)
            #expect(try await MediaTests.post(base + "/webhooks/media-upload", token: MediaTests.webhookToken, json: event) == 200)
            #expect(try await MediaTests.post(base + "/webhooks/media-upload", token: MediaTests.webhookToken, json: event) == 200)
            let received = try await collector.wait(for: 1, on: "internal.media.upload.received") { $0["file_path"]?.stringValue == staging }
            #expect(received.first?.payload["file_size"] == 3 && received.first?.payload["user_id"]?.stringValue == user)
            let moved = try await MediaTests.withS3 { try await $0.headObject(key: permanent) }
            #expect(moved?.size == 3)
            let ready = MediaTests.minioEvent(key: permanent, size: 3, etag: moved?.etag ?? "e")
            #expect(try await MediaTests.post(base + "/webhooks/file-ready", token: MediaTests.webhookToken, json: ready) == 200)
            #expect(try await MediaTests.post(base + "/webhooks/file-ready", token: MediaTests.webhookToken, json: ready) == 200)
            _ = try await collector.wait(for: 1, on: "internal.media.file.ready") { $0["file_path"]?.stringValue == permanent }
            try await Task.sleep(for: .seconds(1))
        }
        #expect(collector.events(on: "internal.media.upload.received") { $0["file_path"]?.stringValue == staging }.count == 1)
        #expect(collector.events(on: "internal.media.file.ready") { $0["file_path"]?.stringValue == permanent }.count == 1)
    }

    @Test("upload retry: a synchronous move re-emits received with retry_count + 1; a missing object is dead-lettered")
    func uploadRetry() async throws {
        let user = MediaTests.newID("retry")
        let request = UUID().uuidString.lowercased()
        let staging = "uploads/\(user)/\(request)/a.png"
        let permanent = "files/\(user)/\(request)/a.png"
        let gone = "uploads/\(user)/missing/a.png"
        func retry(_ path: String, _ target: String) -> TestEvents.Event {
            ("internal.media.upload.retry", target,
             ["user_id": .string(user), "email": "", "file_path": .string(path), "permanent_path": .string(target),
              "file_name": "a.png", "file_size": 5, "media_type": "image/png", "upload_time": "2026-11-23T10:00:00Z",
              "retry_count": 1, "retry_time": "2026-11-23T10:02:00Z"])
        }
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await MediaTests.withService(extra: ["S3_EVENTS": "webhook"]) { _ in
            try await MediaTests.withS3 { try await $0.putObject(key: staging, body: [1, 2, 3, 4, 5], contentType: "image/png") }
            try await TestEvents.publish([retry(staging, permanent), retry(gone, "files/\(user)/missing/a.png")])
            let received = try await collector.wait(for: 1, on: "internal.media.upload.received") { $0["file_path"]?.stringValue == staging }
            #expect(received.first?.payload["retry_count"] == 2 && received.first?.payload["file_size"] == 5)
            let dead = try await collector.wait(for: 1, on: "internal.media.upload.dead-letter") { $0["file_path"]?.stringValue == gone }
            #expect(dead.first?.payload["failure_reason"]?.stringValue?.hasPrefix("move failed") == true)
        }
        let (before, after) = try await MediaTests.withS3 { s3 in
            (try await s3.headObject(key: staging), try await s3.headObject(key: permanent))
        }
        #expect(before == nil && after?.size == 5)
    }

    @Test("download: own file signed (the URL returns the bytes); another's not_authorized; deleted not_found; no object internal_error")
    func downloads() async throws {
        let owner = MediaTests.newID("dl")
        let own = try await MediaTests.seedFile(user: owner, bytes: [4, 5, 6])
        let other = try await MediaTests.seedFile(user: MediaTests.newID("dl-other"))
        let deleted = try await MediaTests.seedFile(user: owner)
        let objectless = try await MediaTests.seedFile(user: owner, withObject: false)
        try await TestEnvironment.withPostgres { client in
            _ = try await client.query("UPDATE media_files SET status = 'deleted' WHERE file_path = \(deleted)", logger: TestEnvironment.logger)
        }
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        let requests = (0..<4).map { _ in UUID().uuidString.lowercased() }
        let paths = [own, other, deleted, objectless]
        let events = zip(paths, requests).map { MediaTests.intent("internal.media.download.intent", user: owner, path: $0, request: $1) }
        let ids = events.map { _ in UUID() }
        try await MediaTests.withService(extra: ["S3_EVENTS": "webhook"]) { _ in
            try await TestEvents.publish(events + [events[0]], eventIDs: ids + [ids[0]])  // the first one redelivered
            let signed = try await collector.wait(for: 1, on: "public.media.download.signed") { $0["request_id"]?.stringValue == requests[0] }
            let url = try #require(signed.first?.payload["download_url"]?.stringValue)
            let body = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10)).body.collect(upTo: 1 << 20)
            #expect(Array(body.readableBytesView) == [4, 5, 6])
            #expect(signed.first?.payload["expires_in"] == 3600)
            let rejected = try await collector.wait(for: 3, on: "public.media.download.rejected") { requests.contains($0["request_id"]?.stringValue ?? "") }
            let reasons = Dictionary(uniqueKeysWithValues: rejected.compactMap { event in
                event.payload["request_id"]?.stringValue.map { ($0, event.payload["reason"]?.stringValue ?? "") }
            })
            #expect(reasons[requests[1]] == "not_authorized")
            #expect(reasons[requests[2]] == "not_found")
            #expect(reasons[requests[3]] == "internal_error")
            try await Task.sleep(for: .seconds(1))
        }
        #expect(collector.events(on: "public.media.download.signed") { $0["request_id"]?.stringValue == requests[0] }.count == 1)
    }

    @Test("delete: own file's object removed, row soft-deleted, delete.events with request_id; others rejected; redelivery changes nothing")
    func deletes() async throws {
        let owner = MediaTests.newID("del")
        let own = try await MediaTests.seedFile(user: owner)
        let other = try await MediaTests.seedFile(user: MediaTests.newID("del-other"))
        let requests = (0..<3).map { _ in UUID().uuidString.lowercased() }
        let events = [
            MediaTests.intent("internal.media.delete.intent", user: owner, path: own, request: requests[0]),
            MediaTests.intent("internal.media.delete.intent", user: owner, path: other, request: requests[1]),
            MediaTests.intent("internal.media.delete.intent", user: owner, path: "files/\(owner)/none/x.pdf", request: requests[2]),
        ]
        let ids = events.map { _ in UUID() }
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        try await MediaTests.withService(extra: ["S3_EVENTS": "webhook"]) { _ in
            try await TestEvents.publish(events, eventIDs: ids)
            let deleted = try await collector.wait(for: 1, on: "public.media.delete.events") { $0["request_id"]?.stringValue == requests[0] }
            #expect(deleted.first?.payload["file_name"] == "doc.pdf" && deleted.first?.payload["file_path"]?.stringValue == own)
            let rejected = try await collector.wait(for: 2, on: "public.media.delete.rejected") { requests.contains($0["request_id"]?.stringValue ?? "") }
            #expect(Set(rejected.compactMap { $0.payload["reason"]?.stringValue }) == ["not_authorized", "not_found"])
            // Redelivered after its batch committed: recognised by event id, nothing new.
            try await TestEvents.publish([events[0]], eventIDs: [ids[0]])
            try await Task.sleep(for: .seconds(2))
        }
        #expect(try await MediaTests.status(of: own) == "deleted")
        #expect(try await MediaTests.status(of: other) == "active")
        #expect(try await MediaTests.withS3 { try await $0.headObject(key: own) } == nil)
        #expect(collector.events(on: "public.media.delete.events") { $0["request_id"]?.stringValue == requests[0] }.count == 1)
        let rejectedAgain = collector.events(on: "public.media.delete.rejected", where: { $0["request_id"]?.stringValue == requests[0] })
        #expect(rejectedAgain.isEmpty)
    }

    @Test("delete with the store failing: retried with back-off, then dead-lettered and rejected with internal_error; the row stays")
    func deleteRetriesThenDeadLetters() async throws {
        let owner = MediaTests.newID("del-fail")
        let path = try await MediaTests.seedFile(user: owner)
        let request = UUID().uuidString.lowercased()
        let collector = try TopicCollector(topics: Self.outputs)
        defer { Task { await collector.stop() } }
        // An injected store failure: the service's S3 endpoint refuses connections.
        try await MediaTests.withService(extra: ["S3_EVENTS": "webhook", "S3_ENDPOINT": "http://127.0.0.1:1", "S3_REQUEST_TIMEOUT_MS": "500"]) { _ in
            try await TestEvents.publish([MediaTests.intent("internal.media.delete.intent", user: owner, path: path, request: request)])
            let retries = try await collector.wait(for: 2, on: "internal.media.delete.retry") { $0["request_id"]?.stringValue == request }
            #expect(retries.compactMap { $0.payload["retry_count"] } == [1, 2])
            let dead = try await collector.wait(for: 1, on: "internal.media.delete.dead-letter") { $0["request_id"]?.stringValue == request }
            #expect(dead.first?.payload["retry_count"] == 2)
            let rejected = try await collector.wait(for: 1, on: "public.media.delete.rejected") { $0["request_id"]?.stringValue == request }
            #expect(rejected.first?.payload["reason"] == "internal_error")
        }
        #expect(try await MediaTests.status(of: path) == "active")
        let deletedEvents = collector.events(on: "public.media.delete.events", where: { $0["request_id"]?.stringValue == request })
        #expect(deletedEvents.isEmpty)
    }
}
