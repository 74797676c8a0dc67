import AsyncHTTPClient
import AvroKit
import Foundation
import KafkaKit
import Logging
import NIOCore
import NIOHTTP1
import MediaServiceApp
import PostgresNIO
import S3Kit
import ServiceLifecycle
import Shared
import TestSupport

/// Helpers for the MediaService's integration tests (the stack's S3 emulator, Kafka and Postgres).
enum MediaTests {
    /// Every input topic of the service.
    static let inputs = [
        "public.media.upload.approved", "internal.media.upload.retry", "internal.media.download.intent",
        "internal.media.delete.intent", "internal.media.delete.retry", "public.media.expired.events",
    ]
    static let webhookToken = "media-test-token"

    static func environment(group: String, extra: [String: String]) -> [String: String] {
        var values = [
            "KAFKA_BROKERS": TestEnvironment.kafkaBrokers, "DATABASE_URL": TestEnvironment.databaseURL,
            "REDIS_URL": TestEnvironment.redisURL, "MEDIA_SERVICE_GROUP": group, "MEDIA_SERVICE_PORT": String(TestPorts.unused()),
            "S3_ENDPOINT": TestEnvironment.s3Endpoint, "S3_BUCKET": TestEnvironment.s3Bucket,
            "S3_ACCESS_KEY": TestEnvironment.s3AccessKey, "S3_SECRET_KEY": TestEnvironment.s3SecretKey,
            "S3_EVENTS": "poll", "S3_POLL_INTERVAL_MS": "200", "S3_WEBHOOK_TOKEN": webhookToken, "LOG_LEVEL": "error",
            "MEDIA_RETRY_MAX_MS": "500", "MEDIA_DELETE_RETRY_BASE_MS": "100", "MEDIA_DELETE_MAX_RETRIES": "2",
        ]
        values.merge(extra) { $1 }
        return values
    }

    /// Runs the MediaService in this process until `body` returns; `body` gets its base URL.
    static func withService<T: Sendable>(extra: [String: String] = [:], _ body: (String) async throws -> T) async throws -> T {
        try await Provisioning.shared.ensure()
        // A group per run, starting at the end of the inputs: earlier tests' records stay out, and no group is joined
        // twice in quick succession (the local broker can stall a group whose members come and go fast).
        let group = TestEnvironment.uniqueName("media-test")
        let settings = try TestEnvironment.settings()
        let admin = try KafkaAdmin(client: settings.kafka, logger: TestEnvironment.logger)
        try await TestEnvironment.withPostgres { client in
            try await ConsumerOffsetStore(postgres: client, groupID: group, logger: TestEnvironment.logger)
                .positionAtEnd(of: MediaTests.inputs, admin: admin)
            // The local broker reports a partition's end as its last batch's first offset + 1; where an earlier
            // group consumed further, start there (or its leftovers would be handled again).
            _ = try await client.query(
                """
                INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
                SELECT \(group), topic, partition, max(next_offset) FROM consumer_offsets
                WHERE topic = ANY(\(MediaTests.inputs)) GROUP BY topic, partition
                ON CONFLICT (group_id, topic, partition) DO UPDATE
                    SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset)
                """, logger: TestEnvironment.logger)
        }
        let values = environment(group: group, extra: extra)
        var reader = EnvironmentReader(values)
        let serviceSettings = InfrastructureSettings(environment: &reader, clientID: "media-service-test")
        let configuration = MediaServiceConfiguration(environment: &reader)
        try reader.validate()
        var logger = Logger(label: "media-test")
        logger.logLevel = ProcessInfo.processInfo.environment["MEDIA_TEST_LOG"] == nil ? .error : .info
        let environment = ServiceEnvironment(service: "media-service", settings: serviceSettings, logger: logger)
        let services = try await buildMediaServiceServices(environment: environment, configuration: configuration)
        let base = "http://127.0.0.1:\(values["MEDIA_SERVICE_PORT"]!)"
        return try await TestServices.run(services, logger: logger) {
            _ = try await TestEvents.eventually(timeout: .seconds(15), every: .milliseconds(100)) {
                (try? await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/health/live"), timeout: .seconds(1)))?.status == .ok
            }
            return try await body(base)
        }
    }

    static func withS3<T: Sendable>(_ body: (S3Client) async throws -> T) async throws -> T { try await TestServices.withS3(body) }

    static func newID(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.lowercased())" }

    /// A permanent file owned by `user`: the object and its active `media_files` row.
    static func seedFile(user: String, bytes: [UInt8] = [9, 8, 7], withObject: Bool = true) async throws -> String {
        let path = "files/\(user)/\(UUID().uuidString.lowercased())/doc.pdf"
        if withObject { try await withS3 { try await $0.putObject(key: path, body: bytes, contentType: "application/pdf") } }
        try await TestEnvironment.withPostgres { client in
            _ = try await client.query(
                """
                INSERT INTO media_files (user_id, file_name, file_path, file_size, media_type, upload_time)
                VALUES (\(user), 'doc.pdf', \(path), \(Int64(bytes.count)), 'application/pdf', '2026-11-23T10:00:00Z')
                """, logger: TestEnvironment.logger)
        }
        return path
    }

    static func status(of path: String) async throws -> String? {
        try await TestEnvironment.withPostgres { client in
            for try await status in try await client.query(
                "SELECT status FROM media_files WHERE file_path = \(path)", logger: TestEnvironment.logger
            ).decode(String.self) { return status }
            return nil
        }
    }

    static func intent(_ topic: String, user: String, path: String, request: String) -> TestEvents.Event {
        (topic, path, ["user_id": .string(user), "file_path": .string(path), "request_id": .string(request), "request_time": "2026-11-23T10:00:00Z"])
    }

    static func post(_ url: String, token: String?, json: String) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(string: json))
        return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
    }

    /// MinIO's notification for one created object (key URL-encoded, as MinIO sends it).
    static func minioEvent(key: String, size: Int, etag: String) -> String {
        let encoded = key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key
        return """
            {"EventName":"s3:ObjectCreated:Put","Key":"media-uploads/\(encoded)","Records":[{"eventVersion":"2.0",
            "eventSource":"minio:s3","awsRegion":"","eventTime":"2026-11-23T10:00:05.000Z","eventName":"s3:ObjectCreated:Put",
            "s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"media-uploads","arn":"arn:aws:s3:::media-uploads"},
            "object":{"key":"\(encoded)","size":\(size),"eTag":"\(etag)","contentType":"image/png","sequencer":"1"}}}]}
            """
    }
}
