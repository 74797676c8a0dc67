import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Keeps a ``JWTVerifier``'s JWKS current: loads it at start, then every `jwksRefreshInterval`, and soon after a
/// token names an unknown `kid` (key rotation), but never more often than `jwksMinimumRefresh`.
public struct JWKSRefresher: Service {
    private let verifier: JWTVerifier
    private let location: String
    private let configuration: JWTConfiguration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let wakeUp: AsyncStream<Void>
    private let wakeUpContinuation: AsyncStream<Void>.Continuation

    public init(verifier: JWTVerifier, configuration: JWTConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.verifier = verifier
        self.location = configuration.jwksLocation ?? ""
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        (self.wakeUp, self.wakeUpContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        let continuation = wakeUpContinuation
        verifier.onUnknownKey { _ in continuation.yield() }
    }

    /// Fetches and installs the JWKS once.
    public func refresh() async throws {
        let json = try await Self.load(location, httpClient: httpClient)
        try await verifier.installJWKS(json: json)
    }

    public func run() async throws {
        var lastAttempt = ContinuousClock.now - configuration.jwksMinimumRefresh
        await withTaskGroup(of: Void.self) { group in
            let continuation = wakeUpContinuation
            let interval = configuration.jwksRefreshInterval
            group.addTask {
                // Periodic tick, merged into the same wake-up stream.
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    continuation.yield()
                }
            }
            continuation.yield()  // initial load
            for await _ in wakeUp.cancelOnGracefulShutdown() {
                let now = ContinuousClock.now
                if now - lastAttempt < configuration.jwksMinimumRefresh { continue }
                lastAttempt = now
                do {
                    try await refresh()
                } catch {
                    logger.error("JWKS refresh failed", metadata: ["error": "\(error)", "location": "\(location)"])
                }
            }
            group.cancelAll()
        }
    }

    static func load(_ location: String, httpClient: HTTPClient) async throws -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") {
            var request = HTTPClientRequest(url: location)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await httpClient.execute(request, timeout: .seconds(10))
            guard response.status == .ok else {
                throw AuthError(.unknownKey, "JWKS fetch answered \(response.status.code)")
            }
            let body = try await response.body.collect(upTo: 1 << 20)
            return String(buffer: body)
        }
        let path = location.hasPrefix("file://") ? String(location.dropFirst("file://".count)) : location
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}
