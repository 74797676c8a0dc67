import Logging
import Metrics
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A Redis sliding-window limiter with a local ledger in front: a subject's first request, or one after its counts
/// went stale (idle for two sync intervals, or Redis unreachable), is decided by Redis; while requests keep coming,
/// they are decided here from the counts Redis last reported plus this process's own grants, and every
/// `syncInterval` the grants are added in Redis (one pipelined round trip for all subjects) and fresh counts come
/// back. A subject costs at most one Redis call per request, as without the ledger (one that sends a request now and
/// then costs exactly that), and a busy one at most one per interval.
///
/// A request then costs a lock and a dictionary update instead of a Redis round trip — the difference between the
/// limiter dominating the ingest path and not showing in it. The price, with several gateway processes, is bounded
/// over-granting (see ``RateLimitLedger``); with one process decisions are exact. As a `Service` it runs the sync
/// loop and, on shutdown, sends what is still pending. Start it after the Redis client so it stops before it.
public final class SyncedRateLimiter: RateLimiting, Service {
    private let redis: RedisRateLimiter
    private let syncInterval: Duration
    private let ledger: NIOLockedValueBox<RateLimitLedger>
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private let logger: Logger
    private let syncFailures = Counter(label: "rate_limit_sync_failures_total")

    /// - Parameters:
    ///   - syncInterval: how often grants are sent and counts refreshed.
    ///   - maximumSubjects: subjects tracked at once; beyond it, new subjects are decided by Redis every time.
    public init(redis: RedisRateLimiter, syncInterval: Duration, maximumSubjects: Int = 100_000, logger: Logger) {
        self.redis = redis
        self.syncInterval = syncInterval
        self.ledger = NIOLockedValueBox(
            RateLimitLedger(
                // A busy subject's counts are refreshed every interval (plus a round trip): older ones mean it was
                // idle, or Redis did not answer.
                staleAfterMilliseconds: (syncInterval * 2 + .milliseconds(100)).milliseconds,
                maximumEntries: maximumSubjects))
        self.origin = clock.now
        self.logger = logger
    }

    public func acquire(subject: String, limit: Int, window: Duration, weight: Int = 1) async throws(RedisError)
        -> RateLimitDecision
    {
        let key = RateLimitLedger.Key(subject: subject, limit: limit, windowMilliseconds: max(1, window.milliseconds))
        let now = elapsedMilliseconds()
        if let decision = ledger.withLockedValue({ $0.decide(key, weight: weight, now: now) }) { return decision }
        let reserved = ledger.withLockedValue { $0.reserve(key, weight: weight, now: now) }
        do {
            let (decision, counts) = try await redis.acquireReportingCounts(
                subject: subject, limit: limit, window: window, weight: weight)
            if reserved { ledger.withLockedValue { $0.settle(key, weight: weight, counts: counts, now: elapsedMilliseconds()) } }
            return decision
        } catch {
            if reserved { ledger.withLockedValue { $0.settle(key, weight: weight, counts: nil, now: elapsedMilliseconds()) } }
            throw error
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { [syncInterval] in try await Task.sleep(for: syncInterval) }
            await sync()
        }
    }

    /// Sends pending grants, and refreshes the counts of the subjects they were for.
    public func sync() async {
        let batch = ledger.withLockedValue { $0.beginSync(now: elapsedMilliseconds()) }
        guard !batch.isEmpty else { return }
        // Concurrent calls share the Redis client's pipeline: one round trip for the whole batch.
        let results = await withTaskGroup(of: (RateLimitLedger.Key, Int, WindowCounts?).self) { group in
            for (key, weight) in batch {
                group.addTask { [redis] in
                    let counts = try? await redis.add(
                        subject: key.subject, window: .milliseconds(key.windowMilliseconds), weight: weight)
                    return (key, weight, counts)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let now = elapsedMilliseconds()
        var failures = 0
        ledger.withLockedValue { ledger in
            for (key, weight, counts) in results {
                if counts == nil { failures += 1 }
                ledger.completeSync(key, sent: weight, counts: counts, now: now)
            }
        }
        if failures > 0 {
            syncFailures.increment(by: failures)
            logger.warning("rate limit sync failed; grants stay pending", metadata: ["subjects": "\(failures)"])
        }
    }

    private func elapsedMilliseconds() -> Int64 { (clock.now - origin).milliseconds }
}
