import AsyncHTTPClient
import Logging
import S3Kit
import ServiceLifecycle

/// Running a service's parts in the test process, and the stack's object store.
public enum TestServices {
    /// Runs `services` in a ServiceGroup until `body` returns (or throws), then shuts them down gracefully.
    public static func run<T: Sendable>(_ services: [any Service], logger: Logger, _ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(services: services, logger: logger)
        let task = Task { try await group.run() }
        do {
            let result = try await body()
            await group.triggerGracefulShutdown()
            try await task.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
    }

    /// An S3 client on the test stack's emulator, for `body`'s duration.
    public static func withS3<T: Sendable>(_ body: (S3Client) async throws -> T) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: TestEnvironment.s3Endpoint, region: "us-east-1", bucket: TestEnvironment.s3Bucket,
                credentials: AWSCredentials(accessKeyID: TestEnvironment.s3AccessKey, secretAccessKey: TestEnvironment.s3SecretKey)),
            httpClient: http)
        do {
            let result = try await body(client)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
