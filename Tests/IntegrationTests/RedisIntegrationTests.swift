import Foundation
import RedisKit
import Testing
import TestSupport

@Suite("Redis against the local server", .serialized, .timeLimit(.minutes(1)))
struct RedisIntegrationTests {
    let client: RedisClient

    init() throws {
        client = RedisClient(configuration: try RedisConfiguration(url: TestEnvironment.redisURL), logger: TestEnvironment.logger)
    }

    @Test("ping, set with TTL and NX, get, delete")
    func basics() async throws {
        try await client.ping()
        let key = TestEnvironment.uniqueName("it:redis")
        #expect(try await client.get(key) == nil)
        #expect(try await client.set(key, value: [0, 1, 2, 0xff], ttl: .seconds(30)))
        #expect(try await client.set(key, value: [9], onlyIfAbsent: true) == false)
        #expect(try await client.get(key) == [0, 1, 2, 0xff])
        #expect(try await client.delete(key) == 1)
        #expect(try await client.get(key) == nil)
        await client.shutdown()
    }

    @Test("server errors are typed, and many concurrent commands share the pool")
    func errorsAndConcurrency() async throws {
        await #expect(throws: RedisError.self) { try await client.send(["NOT-A-COMMAND"]) }
        let prefix = TestEnvironment.uniqueName("it:conc")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await client.set("\(prefix):\(index)", value: Array("\(index)".utf8), ttl: .seconds(30))
                    let value = try await client.get("\(prefix):\(index)")
                    #expect(value == Array("\(index)".utf8))
                }
            }
            try await group.waitForAll()
        }
        await client.shutdown()
    }

    @Test("the sliding-window limiter admits exactly the limit, weighted, then denies with a reset time")
    func rateLimiter() async throws {
        let limiter = RedisRateLimiter(client: client)
        let subject = TestEnvironment.uniqueName("user")
        var allowed = 0
        for _ in 0..<8 {
            let decision = try await limiter.acquire(subject: subject, limit: 5, window: .seconds(60))
            if decision.allowed { allowed += 1 }
        }
        #expect(allowed == 5)
        let denied = try await limiter.acquire(subject: subject, limit: 5, window: .seconds(60))
        #expect(!denied.allowed)
        #expect(denied.remaining == 0)
        // Until one more fits: the rest of this window, then a fifth of the next (the five then weigh 4).
        #expect(denied.resetAfterMilliseconds > 12_000 && denied.resetAfterMilliseconds <= 72_000)

        let batchSubject = TestEnvironment.uniqueName("batch")
        let big = try await limiter.acquire(subject: batchSubject, limit: 100, window: .seconds(60), weight: 60)
        #expect(big.allowed && big.remaining == 40)
        let tooBig = try await limiter.acquire(subject: batchSubject, limit: 100, window: .seconds(60), weight: 41)
        #expect(!tooBig.allowed)
        let fits = try await limiter.acquire(subject: batchSubject, limit: 100, window: .seconds(60), weight: 40)
        #expect(fits.allowed && fits.remaining == 0)
        await client.shutdown()
    }

    @Test("the synced limiter: one process grants exactly the limit, its grants reach Redis, two processes share it")
    func syncedRateLimiter() async throws {
        let redisLimiter = RedisRateLimiter(client: client)
        // Counts go stale after two intervals + 100 ms = 200 ms.
        let first = SyncedRateLimiter(redis: redisLimiter, syncInterval: .milliseconds(50), logger: TestEnvironment.logger)
        let second = SyncedRateLimiter(redis: redisLimiter, syncInterval: .milliseconds(50), logger: TestEnvironment.logger)
        func counted(_ subject: String) async throws -> Int64 {
            try await redisLimiter.add(subject: subject, window: .seconds(60), weight: 0).current
        }
        func take(_ limiter: SyncedRateLimiter, _ subject: String, _ weight: Int) async throws -> Bool {
            try await limiter.acquire(subject: subject, limit: 40, window: .seconds(60), weight: weight).allowed
        }

        // 100 concurrent requests against a limit of 40 (the first ones decided by Redis, the rest here): exactly 40.
        let burst = TestEnvironment.uniqueName("synced")
        let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 { group.addTask { try await take(first, burst, 1) } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(granted == 40)
        await first.sync()
        #expect(try await counted(burst) == 40)
        #expect(try await take(second, burst, 1) == false)  // another process: Redis decides its first request

        // Grants made here reach the other process through Redis.
        let shared = TestEnvironment.uniqueName("synced-shared")
        #expect(try await take(first, shared, 10))  // Redis decides (first sight)
        #expect(try await take(first, shared, 10))  // decided here, pending
        #expect(try await take(second, shared, 31) == false)  // Redis decides: it holds 10 so far
        #expect(try await take(second, shared, 10))  // decided here: 10 counted + this
        #expect(try await take(second, shared, 5))  // 10 counted + 10 pending + this
        await first.sync()
        await second.sync()
        #expect(try await counted(shared) == 35)
        #expect(try await take(first, shared, 5))  // first's counts, from before second's sync: 20 + this
        await first.sync()  // sends the 5, and learns second's grants
        #expect(try await counted(shared) == 40)
        #expect(try await take(first, shared, 1) == false)
        // Idle past the staleness bound, a process asks Redis again instead of trusting old counts.
        try await Task.sleep(for: .milliseconds(250))
        #expect(try await take(second, shared, 1) == false)
        await client.shutdown()
    }

    @Test("the synced limiter sends its pending grants when it shuts down")
    func syncedRateLimiterFlushesOnShutdown() async throws {
        let redisLimiter = RedisRateLimiter(client: client)
        let limiter = SyncedRateLimiter(redis: redisLimiter, syncInterval: .seconds(60), logger: TestEnvironment.logger)
        let subject = TestEnvironment.uniqueName("synced-flush")
        for _ in 0..<7 { _ = try await limiter.acquire(subject: subject, limit: 100, window: .seconds(60), weight: 1) }
        try await TestServices.run([limiter], logger: TestEnvironment.logger) {}
        #expect(try await redisLimiter.add(subject: subject, window: .seconds(60), weight: 0).current == 7)
        await client.shutdown()
    }

    @Test("idempotency keys: start, in flight, replay, mismatch, release")
    func idempotency() async throws {
        let store = RedisIdempotencyStore(client: client)
        let key = TestEnvironment.uniqueName("user-1:message")
        #expect(try await store.begin(key: key, fingerprint: "fp-a", pendingLease: .seconds(30)) == .started)
        #expect(try await store.begin(key: key, fingerprint: "fp-a", pendingLease: .seconds(30)) == .inFlight)
        #expect(try await store.begin(key: key, fingerprint: "fp-b", pendingLease: .seconds(30)) == .fingerprintMismatch)
        try await store.complete(key: key, fingerprint: "fp-a", status: 202, body: Array(#"{"event_id":"e1"}"#.utf8), ttl: .seconds(60))
        #expect(
            try await store.begin(key: key, fingerprint: "fp-a", pendingLease: .seconds(30))
                == .completed(status: 202, body: Array(#"{"event_id":"e1"}"#.utf8)))

        let released = TestEnvironment.uniqueName("user-1:retry")
        #expect(try await store.begin(key: released, fingerprint: "fp", pendingLease: .seconds(30)) == .started)
        try await store.release(key: released, fingerprint: "fp")
        #expect(try await store.begin(key: released, fingerprint: "fp", pendingLease: .seconds(30)) == .started)
        await client.shutdown()
    }

    @Test("an unreachable server fails with connectionFailed, quickly")
    func unreachable() async throws {
        var configuration = RedisConfiguration(host: "127.0.0.1", port: 1)
        configuration.connectTimeout = .milliseconds(500)
        let dead = RedisClient(configuration: configuration, logger: TestEnvironment.logger)
        await #expect(throws: RedisError.self) { try await dead.ping() }
        await dead.shutdown()
    }
}
