import Foundation
import Testing
import TestSupport
import Yams

/// `docker-compose.yml` and the `Dockerfile`, checked without a Docker engine (none runs on these machines): the
/// compose file against the Compose specification's JSON schema (check-jsonschema's vendored copy, installed by
/// scripts/deps), then the promises the README makes about it.
@Suite("Production stack files")
struct ComposeFileTests {
    static let root = TestEnvironment.repositoryRoot
    static let composePath = "\(root)/docker-compose.yml"
    /// The services that run the platform's own image.
    static let platformServices = ["gateway", "message-consumer", "media-service", "saga-processor"]

    static func validate(_ path: String) async throws -> ExternalCommand.Result {
        let validator = URL(fileURLWithPath: TestEnvironment.python).deletingLastPathComponent().appendingPathComponent("check-jsonschema").path
        return try await ExternalCommand.run(validator, ["--builtin-schema", "vendor.compose-spec", path])
    }

    static func compose() throws -> [String: Any] {
        let text = try String(contentsOfFile: composePath, encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    static func services() throws -> [String: [String: Any]] {
        try #require(try compose()["services"] as? [String: [String: Any]])
    }

    @Test("docker-compose.yml conforms to the Compose specification")
    func conformsToSpecification() async throws {
        let result = try await Self.validate(Self.composePath)
        #expect(result.status == 0, "\(result.output)\(result.errors)")
    }

    @Test("the validator rejects a file that breaks the specification")
    func validatorRejects() async throws {
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).yml")
        try "services:\n  gateway:\n    image: x\n    healthcheck: {interval: 5}\n    restart: sometimes\n"
            .write(to: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: broken) }
        #expect(try await Self.validate(broken.path).status != 0)
    }

    @Test("every long-running service has a health check; one-shot jobs finish before the services start")
    func healthChecks() throws {
        let services = try Self.services()
        #expect(Set(services.keys).isSuperset(of: Self.platformServices + ["redpanda", "postgres", "redis", "minio", "init", "minio-init"]))
        for (name, service) in services {
            let oneShot = service["restart"] as? String == "no"
            let check = service["healthcheck"] as? [String: Any]
            if oneShot {
                #expect(check?["disable"] as? Bool == true, "\(name): a one-shot job has no health to check")
            } else {
                let test = check?["test"] as? [String] ?? []
                #expect(test.count >= 2 && ["CMD", "CMD-SHELL"].contains(test[0]), "\(name) has no health check")
            }
        }
        for name in Self.platformServices {
            let dependsOn = try #require(services[name]?["depends_on"] as? [String: [String: String]], "\(name) depends_on")
            #expect(dependsOn["init"]?["condition"] == "service_completed_successfully", "\(name) waits for init")
            let test = (services[name]?["healthcheck"] as? [String: Any])?["test"] as? [String] ?? []
            #expect(test.last?.hasSuffix("/health/ready") == true, "\(name) checks readiness")
        }
    }

    @Test("every variable given to the platform's services is documented in the README")
    func environmentDocumented() throws {
        let readme = try String(contentsOfFile: "\(Self.root)/README.md", encoding: .utf8)
        let services = try Self.services()
        for name in Self.platformServices + ["init"] {
            let environment = try #require(services[name]?["environment"] as? [String: Any], "\(name) environment")
            #expect(environment["KAFKA_BROKERS"] != nil && environment["DATABASE_URL"] != nil, "\(name) lacks the shared settings")
            for key in environment.keys {
                #expect(readme.contains("`\(key)`"), "\(name): \(key) is not documented in the README")
            }
        }
    }

    @Test("the services run binaries the Dockerfile builds; MinIO notifies the MediaService's webhooks with its token")
    func wiring() throws {
        let dockerfile = try String(contentsOfFile: "\(Self.root)/Dockerfile", encoding: .utf8)
        let package = try String(contentsOfFile: "\(Self.root)/Package.swift", encoding: .utf8)
        let services = try Self.services()
        for name in Self.platformServices {
            let command = try #require((services[name]?["command"] as? [String])?.first, "\(name) command")
            #expect(dockerfile.contains(" \(command) ") || dockerfile.contains(" \(command);"), "the Dockerfile does not build \(command)")
            #expect(package.contains(".executable(name: \"\(command)\""), "\(command) is not a product")
        }
        for source in ["Package.swift", "Shared", "Services", "Tests", "avro", "migrations", "routes.yaml"] {
            #expect(FileManager.default.fileExists(atPath: "\(Self.root)/\(source)"), "the Dockerfile copies \(source)")
        }

        let minio = try #require(services["minio"]?["environment"] as? [String: String])
        let media = try #require(services["media-service"]?["environment"] as? [String: Any])
        let port = try #require(media["MEDIA_SERVICE_PORT"] as? String)
        #expect(minio["MINIO_NOTIFY_WEBHOOK_ENDPOINT_MEDIAUPLOADS"] == "http://media-service:\(port)/webhooks/media-upload")
        #expect(minio["MINIO_NOTIFY_WEBHOOK_ENDPOINT_MEDIAFILES"] == "http://media-service:\(port)/webhooks/file-ready")
        let token = try #require(media["S3_WEBHOOK_TOKEN"] as? String)
        #expect(minio["MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_MEDIAUPLOADS"] == "Bearer \(token)")
        #expect(minio["MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_MEDIAFILES"] == "Bearer \(token)")
        #expect(media["S3_EVENTS"] as? String == "webhook")
    }
}
