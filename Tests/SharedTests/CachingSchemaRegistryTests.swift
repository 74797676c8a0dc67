import AvroKit
import NIOConcurrencyHelpers
import Testing

@testable import Shared

/// A registry whose `latest` answers are scripted, counted and slow enough for callers to pile up.
private final class ScriptedRegistry: SchemaRegistry {
    private let state = NIOLockedValueBox((version: 1, failing: false, latestCalls: 0))
    private static let schema = try! AvroSchema(json: #""string""#)

    var latestCalls: Int { state.withLockedValue { $0.latestCalls } }

    func publish(version: Int) { state.withLockedValue { $0.version = version } }
    func fail(_ failing: Bool) { state.withLockedValue { $0.failing = failing } }

    func register(subject: String, schemaJSON: String) async throws -> RegisteredSchema {
        let version = state.withLockedValue { state in
            state.version += 1
            return state.version
        }
        return RegisteredSchema(id: Int32(version), version: version, schema: Self.schema)
    }

    func latest(subject: String) async throws -> RegisteredSchema {
        let (version, failing) = state.withLockedValue { state in
            state.latestCalls += 1
            return (state.version, state.failing)
        }
        try await Task.sleep(for: .milliseconds(50))
        if failing { throw SchemaRegistryError(.unavailable, "scripted outage") }
        return RegisteredSchema(id: Int32(version), version: version, schema: Self.schema)
    }

    func schema(id: Int32) async throws -> AvroSchema { Self.schema }
}

@Suite("Caching schema registry")
struct CachingSchemaRegistryTests {
    private static func lookUp(_ registry: CachingSchemaRegistry, times: Int) async throws -> [Int?] {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<times { group.addTask { try await registry.latest(subject: "s").version } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("concurrent first lookups share one fetch")
    func singleFlight() async throws {
        let base = ScriptedRegistry()
        let registry = CachingSchemaRegistry(base, latestTTL: .seconds(60))
        let versions = try await Self.lookUp(registry, times: 50)
        #expect(versions == Array(repeating: 1, count: 50))
        #expect(base.latestCalls == 1)
    }

    @Test("an expired version keeps being served while one refresh fetches the new one")
    func staleWhileRevalidate() async throws {
        let base = ScriptedRegistry()
        let registry = CachingSchemaRegistry(base, latestTTL: .milliseconds(100))
        _ = try await registry.latest(subject: "s")
        base.publish(version: 2)
        try await Task.sleep(for: .milliseconds(150))
        let during = try await Self.lookUp(registry, times: 50)
        #expect(during == Array(repeating: 1, count: 50))  // no caller waited for the registry
        #expect(base.latestCalls == 2)  // one refresh for all of them
        try await Task.sleep(for: .milliseconds(80))
        #expect(try await registry.latest(subject: "s").version == 2)
    }

    @Test("a registry outage keeps the known version; a subject never fetched reports the failure")
    func outage() async throws {
        let base = ScriptedRegistry()
        let registry = CachingSchemaRegistry(base, latestTTL: .milliseconds(100), retryAfter: .seconds(60))
        _ = try await registry.latest(subject: "s")
        base.fail(true)
        try await Task.sleep(for: .milliseconds(150))
        #expect(try await registry.latest(subject: "s").version == 1)
        try await Task.sleep(for: .milliseconds(80))  // the refresh has failed by now
        let calls = base.latestCalls
        #expect(try await Self.lookUp(registry, times: 20) == Array(repeating: 1, count: 20))
        #expect(base.latestCalls == calls)  // no retry before retryAfter
        await #expect(throws: SchemaRegistryError.self) { try await registry.latest(subject: "other") }
    }

    @Test("registering a version makes the next lookup fetch it")
    func registerInvalidates() async throws {
        let base = ScriptedRegistry()
        let registry = CachingSchemaRegistry(base, latestTTL: .seconds(60))
        _ = try await registry.latest(subject: "s")
        let registered = try await registry.register(subject: "s", schemaJSON: #""string""#)
        #expect(try await registry.latest(subject: "s").version == registered.version)
    }
}
