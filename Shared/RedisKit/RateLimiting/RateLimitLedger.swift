/// The local side of ``SyncedRateLimiter``: per subject, the last counts Redis reported plus what this process has
/// granted or asked Redis for since, so that most decisions need no round trip. Pure state (the caller supplies the
/// time and makes the Redis calls), guarded by the limiter's lock.
///
/// A subject's budget in use, as seen here = Redis' sliding-window estimate projected to now + `pending` (granted
/// here, not yet sent) + `inFlight` (sent by a sync, Redis' answer not back yet) + `reserved` (requests Redis is
/// deciding right now). Counts older than `staleAfterMilliseconds` are not decided from: the request goes to Redis,
/// which decides it exactly and refreshes the counts. With one process, decisions are exact. With several, a
/// subject can be over-granted by what the *other* processes granted within the staleness bound.
struct RateLimitLedger {
    struct Key: Hashable {
        var subject: String
        var limit: Int
        var windowMilliseconds: Int64
    }

    struct Entry {
        /// nil until Redis first answered for the subject.
        var counts: WindowCounts?
        /// Local clock (milliseconds) when `counts` arrived: Redis' clock now ≈ counts' time + local time since.
        var receivedAt: Int64 = 0
        var pending = 0
        var inFlight = 0
        var reserved = 0
        var lastUsedAt: Int64
    }

    let staleAfterMilliseconds: Int64
    /// At most this many subjects are tracked; more are decided by Redis alone until some expire.
    let maximumEntries: Int
    private(set) var entries: [Key: Entry] = [:]

    init(staleAfterMilliseconds: Int64, maximumEntries: Int) {
        self.staleAfterMilliseconds = staleAfterMilliseconds
        self.maximumEntries = maximumEntries
    }

    /// Decides locally, or returns nil when the subject's counts are unknown or stale (Redis must decide).
    mutating func decide(_ key: Key, weight: Int, now: Int64) -> RateLimitDecision? {
        guard var entry = entries[key], let counts = entry.counts, now - entry.receivedAt <= staleAfterMilliseconds
        else { return nil }
        let serverNow = counts.serverMilliseconds + (now - entry.receivedAt)
        let (used, reset) = counts.projected(to: serverNow)
        let local = entry.pending + entry.inFlight + entry.reserved
        let taken = used + Double(local)
        let allowed = taken + Double(weight) <= Double(key.limit)
        if allowed { entry.pending += weight }
        entry.lastUsedAt = now
        entries[key] = entry
        return RateLimitDecision(
            allowed: allowed, limit: key.limit,
            remaining: allowed ? max(0, Int((Double(key.limit) - taken - Double(weight)).rounded(.down))) : 0,
            resetAfterMilliseconds: allowed
                ? reset : counts.wait(toAdd: weight, beyond: local, limit: key.limit, at: serverNow))
    }

    /// Notes that Redis is deciding `weight` units for the subject, so that local decisions meanwhile count them.
    /// Returns false when the ledger is full and the subject is not tracked (then nothing needs settling).
    mutating func reserve(_ key: Key, weight: Int, now: Int64) -> Bool {
        if entries[key] == nil {
            guard entries.count < maximumEntries else { return false }
            entries[key] = Entry(lastUsedAt: now)
        }
        entries[key]!.reserved += weight
        entries[key]!.lastUsedAt = now
        return true
    }

    /// Redis decided a reserved request: drop the reservation, keep its counts (which include the grant, if any).
    mutating func settle(_ key: Key, weight: Int, counts: WindowCounts?, now: Int64) {
        guard var entry = entries[key] else { return }
        entry.reserved -= weight
        if let counts { entry.install(counts, now: now) }
        entries[key] = entry
    }

    /// Starts a sync: moves pending grants in flight and returns, for every subject granted something here since
    /// the last sync, the weight to add in Redis — whose answer refreshes the counts. A subject costs at most one
    /// call per grant, so never more Redis calls than without the ledger. Forgets subjects idle for two windows
    /// (their Redis keys have expired by then too).
    mutating func beginSync(now: Int64) -> [(key: Key, weight: Int)] {
        var batch: [(key: Key, weight: Int)] = []
        var idle: [Key] = []
        for (key, var entry) in entries {
            guard entry.pending > 0 else {
                if entry.inFlight == 0 && entry.reserved == 0 && now - entry.lastUsedAt > 2 * key.windowMilliseconds {
                    idle.append(key)
                }
                continue
            }
            entry.inFlight += entry.pending
            entry.pending = 0
            entries[key] = entry
            batch.append((key, entry.inFlight))
        }
        for key in idle { entries.removeValue(forKey: key) }
        return batch
    }

    /// Finishes one subject's sync: Redis' counts (which include the weight sent), or nil when the call failed and
    /// the weight goes back to pending for the next sync.
    mutating func completeSync(_ key: Key, sent weight: Int, counts: WindowCounts?, now: Int64) {
        guard var entry = entries[key] else { return }
        entry.inFlight -= weight
        if let counts {
            entry.install(counts, now: now)
        } else {
            entry.pending += weight
        }
        entries[key] = entry
    }
}

extension RateLimitLedger.Entry {
    /// Takes `counts` unless the ones held are more recent (answers can arrive out of order).
    fileprivate mutating func install(_ counts: WindowCounts, now: Int64) {
        if let held = self.counts, !counts.isAtLeastAsRecent(as: held) { return }
        self.counts = counts
        receivedAt = now
    }
}
