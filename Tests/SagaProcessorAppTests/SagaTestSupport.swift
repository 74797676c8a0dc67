import AvroKit
import Foundation
import Logging
import PostgresNIO
import SagaProcessorApp
import ServiceLifecycle
import Shared
import Testing
import TestSupport

/// Helpers for the SagaProcessor's integration tests: running it in-process or as a real process, the input events,
/// and reading the ledger.
enum SagaTests {
    /// One group for every test of the suite (run serialized): each processor resumes where the previous one stopped.
    static let group = "saga-processor-test"

    static func environment(extra: [String: String] = [:]) -> [String: String] {
        var values = [
            "KAFKA_BROKERS": TestEnvironment.kafkaBrokers, "DATABASE_URL": TestEnvironment.databaseURL,
            "REDIS_URL": TestEnvironment.redisURL, "SAGA_PROCESSOR_GROUP": group,
            "SAGA_PROCESSOR_PORT": String(TestPorts.unused()), "LOG_LEVEL": "error", "SAGA_RETRY_MAX_MS": "500",
            "SAGA_TIMER_POLL_MS": "50", "UPLOAD_TTL_SECONDS": "2", "MOVE_TIMEOUT_SECONDS": "1", "MOVE_MAX_RETRIES": "3",
        ]
        values.merge(extra) { $1 }
        return values
    }

    /// Runs the processor's services in this process until `body` returns.
    static func withProcessor<T: Sendable>(extra: [String: String] = [:], _ body: () async throws -> T) async throws -> T {
        try await Provisioning.shared.ensure()
        var reader = EnvironmentReader(environment(extra: extra))
        let settings = InfrastructureSettings(environment: &reader, clientID: "saga-processor-test")
        let configuration = SagaProcessorConfiguration(environment: &reader)
        try reader.validate()
        var logger = Logger(label: "saga-test")
        logger.logLevel = ProcessInfo.processInfo.environment["SAGA_TEST_LOG"] == nil ? .error : .info
        let environment = ServiceEnvironment(service: "saga-processor", settings: settings, logger: logger)
        let services = try await buildSagaProcessorServices(environment: environment, configuration: configuration)
        return try await TestServices.run(services, logger: logger, body)
    }

    /// The debug build's SagaProcessor executable (built by `swift build --build-tests`).
    static var executable: String { "\(TestEnvironment.repositoryRoot)/.build/debug/SagaProcessor" }

    /// Starts a real SagaProcessor process.
    static func launch(extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.environment = ProcessInfo.processInfo.environment.merging(environment(extra: extra)) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if let directory = ProcessInfo.processInfo.environment["SAGA_TEST_LOG"] {
            // Debugging aid: each process's JSON log in its own file.
            let path = "\(directory)/saga-\(UUID().uuidString.prefix(8)).log"
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: path)
            process.environment?["LOG_LEVEL"] = "info"
        }
        try process.run()
        return process
    }

    /// Stops a processor as a deployment would (SIGTERM); one that has not exited after 20 s is a failed shutdown.
    static func stop(_ process: Process, sourceLocation: SourceLocation = #_sourceLocation) {
        process.stopExpectingGracefulExit("SagaProcessor", sourceLocation: sourceLocation)
    }

    /// Waits until the processors consume: signups for fresh users each come back as a balance change (the
    /// collector must follow that topic). With several markers, spread over the partitions, it waits until the group
    /// consumes every partition again, e.g. after a member left.
    ///
    /// Stop a group's processes one at a time, each once the group has settled: the local broker (Tansu 0.6) keeps a
    /// leader that leaves while the group is re-forming as the group's leader, and no member gets partitions again.
    static func awaitConsuming(_ collector: TopicCollector, markers: Int = 8, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let users = (0..<markers).map { _ in newID("marker") }
        try await TestEvents.publish(users.map { signup($0) })
        let wanted = Set(users)
        let seen = try await collector.wait(for: markers, on: "public.credit.balance_changed.events", timeout: .seconds(60)) {
            wanted.contains($0["user_id"]?.stringValue ?? "")
        }
        #expect(seen.count == markers, "the processors did not consume the markers", sourceLocation: sourceLocation)
    }

    // MARK: - Inputs

    static func newID(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.lowercased())" }

    static func signup(_ user: String) -> TestEvents.Event {
        ("public.identity.signup.events", user,
         ["user_id": .string(user), "email": .string("\(user)@example.com"), "signup_time": "2026-11-23T10:00:00Z"])
    }

    static func intent(_ user: String, request: String, fileName: String = "photo.png", size: Int64 = 1234) -> TestEvents.Event {
        ("internal.media.upload.intent", user,
         ["user_id": .string(user), "file_name": .string(fileName), "media_type": "image/png", "file_size": .int(size),
          "request_id": .string(request), "request_time": "2026-11-23T10:00:01Z"])
    }

    static func stagingPath(_ user: String, request: String, fileName: String = "photo.png") -> String {
        "uploads/\(user)/\(request)/\(fileName)"
    }

    static func permanentPath(_ user: String, request: String, fileName: String = "photo.png") -> String {
        "files/\(user)/\(request)/\(fileName)"
    }

    static func signed(_ user: String, request: String, fileName: String = "photo.png") -> TestEvents.Event {
        let path = stagingPath(user, request: request, fileName: fileName)
        return ("public.media.upload.signed", path,
                ["user_id": .string(user), "file_path": .string(path), "file_name": .string(fileName),
                 "upload_url": .string("http://s3.local/\(path)?X-Amz-Signature=x"), "expires_in": 900,
                 "request_id": .string(request), "signed_time": "2026-11-23T10:00:02Z"])
    }

    static func received(_ user: String, request: String, retry: Int64 = 0, size: Int64 = 4321) -> TestEvents.Event {
        let permanent = permanentPath(user, request: request)
        return ("internal.media.upload.received", permanent,
                ["user_id": .string(user), "email": .string("\(user)@example.com"),
                 "file_path": .string(stagingPath(user, request: request)), "file_name": "photo.png", "file_size": .int(size),
                 "media_type": "image/png", "upload_time": "2026-11-23T10:00:03Z", "permanent_path": .string(permanent),
                 "retry_count": .int(retry)])
    }

    static func ready(_ user: String, request: String, size: Int64 = 4321) -> TestEvents.Event {
        let permanent = permanentPath(user, request: request)
        return ("internal.media.file.ready", permanent,
                ["file_path": .string(permanent), "file_size": .int(size), "upload_time": "2026-11-23T10:00:04Z"])
    }

    // MARK: - Reading the database

    /// (balance row, ledger sum, ledger rows) for a user.
    static func credits(_ user: String) async throws -> (balance: Int?, ledgerSum: Int, entries: Int) {
        try await TestEnvironment.withPostgres { client in
            let rows = try await client.query(
                """
                SELECT (SELECT balance FROM credit_balances WHERE user_id = \(user)),
                       COALESCE((SELECT sum(amount)::int FROM credit_ledger WHERE user_id = \(user)), 0),
                       (SELECT count(*)::int FROM credit_ledger WHERE user_id = \(user))
                """, logger: TestEnvironment.logger)
            for try await (balance, sum, entries) in rows.decode((Int?, Int, Int).self) { return (balance, sum, entries) }
            return (nil, 0, 0)
        }
    }

    /// Gives a user `amount` credits directly (a ledger row and the balance), for tests that need a starting balance.
    static func seedCredits(_ user: String, amount: Int) async throws {
        try await TestEnvironment.withPostgres { client in
            try await client.withTransaction(logger: TestEnvironment.logger) { connection in
                _ = try await connection.query(
                    """
                    INSERT INTO credit_ledger (user_id, amount, event_type, description, event_time, cause_id)
                    VALUES (\(user), \(amount), 'credit.test_seed', 'test seed', '2026-11-23T09:00:00Z', \(user))
                    """, logger: TestEnvironment.logger)
                _ = try await connection.query(
                    "INSERT INTO credit_balances (user_id, balance) VALUES (\(user), \(amount))", logger: TestEnvironment.logger)
            }
        }
    }

    static func scalar(_ query: PostgresQuery) async throws -> Int {
        try await TestEnvironment.withPostgres { client in
            for try await value in try await client.query(query, logger: TestEnvironment.logger).decode(Int.self) { return value }
            return 0
        }
    }

    static func stateExists(saga: String, key: String) async throws -> Bool {
        try await scalar("SELECT count(*)::int FROM saga_state WHERE saga = \(saga) AND saga_key = \(key)") > 0
    }

    static func armedTimers(saga: String, key: String) async throws -> Int {
        try await scalar("SELECT count(*)::int FROM saga_timers WHERE saga = \(saga) AND saga_key = \(key)")
    }

    /// Publishes the upload's signed event and waits until the running processor has armed its TTL timer.
    static func armUploadTimer(_ user: String, request: String) async throws {
        try await TestEvents.publish([signed(user, request: request)])
        _ = try await TestEvents.eventually(timeout: .seconds(10)) {
            try await armedTimers(saga: "upload-ttl", key: stagingPath(user, request: request)) == 1
        }
    }
}

extension JSONValue {
    func has(_ field: String, _ value: String) -> Bool { self[field]?.stringValue == value }
}
