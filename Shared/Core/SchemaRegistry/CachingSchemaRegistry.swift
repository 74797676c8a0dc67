import AvroKit
import NIOConcurrencyHelpers

/// Caches a registry: schemas by id forever (ids are immutable), a subject's latest version for `latestTTL`
/// (so a newly registered version is picked up without a restart — the reference cached it forever).
public final class CachingSchemaRegistry: SchemaRegistry {
    private let base: any SchemaRegistry
    private let latestTTL: Duration
    private let byID = NIOLockedValueBox<[Int32: AvroSchema]>([:])
    private let latestBySubject = NIOLockedValueBox<[String: (RegisteredSchema, ContinuousClock.Instant)]>([:])

    public init(_ base: any SchemaRegistry, latestTTL: Duration = .seconds(60)) {
        self.base = base
        self.latestTTL = latestTTL
    }

    public func register(subject: String, schemaJSON: String) async throws -> RegisteredSchema {
        let registered = try await base.register(subject: subject, schemaJSON: schemaJSON)
        byID.withLockedValue { $0[registered.id] = registered.schema }
        latestBySubject.withLockedValue { $0[subject] = nil }
        return registered
    }

    public func latest(subject: String) async throws -> RegisteredSchema {
        let now = ContinuousClock.now
        if let (cached, at) = latestBySubject.withLockedValue({ $0[subject] }), now - at < latestTTL {
            return cached
        }
        let fresh = try await base.latest(subject: subject)
        latestBySubject.withLockedValue { $0[subject] = (fresh, now) }
        byID.withLockedValue { $0[fresh.id] = fresh.schema }
        return fresh
    }

    public func schema(id: Int32) async throws -> AvroSchema {
        if let cached = byID.withLockedValue({ $0[id] }) { return cached }
        let schema = try await base.schema(id: id)
        byID.withLockedValue { $0[id] = schema }
        return schema
    }
}
