import AvroKit
import NIOConcurrencyHelpers

/// Caches a registry: schemas by id forever (ids are immutable), a subject's latest version for `latestTTL`
/// (so a newly registered version is picked up without a restart — the reference cached it forever).
///
/// A subject's latest version is fetched by one request at a time, whatever the number of callers: the first lookup
/// waits for it, and once the version is older than `latestTTL` callers keep getting it while one refresh runs in
/// the background — so an expiring entry neither stalls requests nor sends every one of them to the registry at
/// once. A failed refresh keeps the version already known and is retried after `retryAfter`.
public final class CachingSchemaRegistry: SchemaRegistry {
    private struct Latest {
        var value: RegisteredSchema?
        var fetchedAt: ContinuousClock.Instant
        var refresh: Task<RegisteredSchema, any Error>?
        /// Bumped by `register`, so a refresh that started before it cannot store an older version after it.
        var generation = 0
    }

    private let base: any SchemaRegistry
    private let latestTTL: Duration
    private let retryAfter: Duration
    private let byID = NIOLockedValueBox<[Int32: AvroSchema]>([:])
    private let latestBySubject = NIOLockedValueBox<[String: Latest]>([:])

    public init(_ base: any SchemaRegistry, latestTTL: Duration = .seconds(60), retryAfter: Duration = .seconds(5)) {
        self.base = base
        self.latestTTL = latestTTL
        self.retryAfter = retryAfter
    }

    public func register(subject: String, schemaJSON: String) async throws -> RegisteredSchema {
        let registered = try await base.register(subject: subject, schemaJSON: schemaJSON)
        byID.withLockedValue { $0[registered.id] = registered.schema }
        latestBySubject.withLockedValue { entries in
            let generation = (entries[subject]?.generation ?? 0) + 1
            entries[subject] = Latest(value: nil, fetchedAt: .now, refresh: nil, generation: generation)
        }
        return registered
    }

    public func latest(subject: String) async throws -> RegisteredSchema {
        enum Step {
            case known(RegisteredSchema)
            case wait(Task<RegisteredSchema, any Error>)
        }
        let now = ContinuousClock.now
        let step: Step = latestBySubject.withLockedValue { entries in
            var entry = entries[subject] ?? Latest(value: nil, fetchedAt: now)
            if let value = entry.value, now - entry.fetchedAt < latestTTL { return .known(value) }
            let refresh = entry.refresh ?? startRefresh(subject, generation: entry.generation)
            entry.refresh = refresh
            entries[subject] = entry
            // Stale while it revalidates; only a subject never fetched waits.
            return entry.value.map(Step.known) ?? .wait(refresh)
        }
        switch step {
        case .known(let value): return value
        case .wait(let refresh): return try await refresh.value
        }
    }

    public func schema(id: Int32) async throws -> AvroSchema {
        if let cached = byID.withLockedValue({ $0[id] }) { return cached }
        let schema = try await base.schema(id: id)
        byID.withLockedValue { $0[id] = schema }
        return schema
    }

    private func startRefresh(_ subject: String, generation: Int) -> Task<RegisteredSchema, any Error> {
        Task { [base, byID, latestBySubject, latestTTL, retryAfter] in
            do {
                let fresh = try await base.latest(subject: subject)
                byID.withLockedValue { $0[fresh.id] = fresh.schema }
                latestBySubject.withLockedValue { entries in
                    guard entries[subject]?.generation == generation else { return }
                    entries[subject] = Latest(value: fresh, fetchedAt: .now, refresh: nil, generation: generation)
                }
                return fresh
            } catch {
                latestBySubject.withLockedValue { entries in
                    guard var entry = entries[subject], entry.generation == generation else { return }
                    entry.refresh = nil
                    // Keep serving what is known; look again after `retryAfter` rather than on every request.
                    if entry.value != nil { entry.fetchedAt = .now - latestTTL + retryAfter }
                    entries[subject] = entry
                }
                throw error
            }
        }
    }
}
