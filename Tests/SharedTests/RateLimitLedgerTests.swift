@testable import RedisKit
import Testing

@Suite("Rate limit ledger: local decisions from Redis' counts plus own grants")
struct RateLimitLedgerTests {
    let key = RateLimitLedger.Key(subject: "user:a", limit: 5, windowMilliseconds: 60_000)

    /// Counts as Redis would report them `elapsed` ms into window 1000.
    func counts(previous: Int64 = 0, current: Int64, elapsed: Int64 = 0) -> WindowCounts {
        WindowCounts(
            windowMilliseconds: 60_000, windowIndex: 1_000, previous: previous, current: current,
            serverMilliseconds: 1_000 * 60_000 + elapsed)
    }

    func ledger() -> RateLimitLedger { RateLimitLedger(staleAfterMilliseconds: 2_000, maximumEntries: 10) }

    @Test("an unknown subject is Redis' to decide; a known one is decided locally up to the limit")
    func grantsUpToTheLimit() {
        var ledger = ledger()
        #expect(ledger.decide(key, weight: 1, now: 0) == nil)
        ledger.learn(counts(current: 1), for: key, now: 0)  // Redis granted the first request
        var remaining: [Int] = []
        for _ in 0..<4 {
            let decision = ledger.decide(key, weight: 1, now: 10)
            #expect(decision?.allowed == true)
            remaining.append(decision?.remaining ?? -1)
        }
        #expect(remaining == [3, 2, 1, 0])
        let denied = ledger.decide(key, weight: 1, now: 10)
        #expect(denied?.allowed == false && denied?.remaining == 0)
        // Five in this window: the next one must be a fifth under way before they weigh 4 and one more fits.
        #expect(denied?.resetAfterMilliseconds == 60_000 - 10 + 12_000)
        #expect(ledger.entries[key]?.pending == 4)
    }

    @Test("requests Redis is deciding count against local decisions until they settle")
    func reservations() {
        var ledger = ledger()
        let reservedBoth = ledger.reserve(key, weight: 1, now: 0) && ledger.reserve(key, weight: 1, now: 0)
        #expect(reservedBoth)
        #expect(ledger.decide(key, weight: 1, now: 0) == nil)  // no counts yet
        // The first answer: Redis has granted 1 so far; the other request is still being decided there.
        ledger.settle(key, weight: 1, counts: counts(current: 1), now: 1)
        #expect(ledger.decide(key, weight: 1, now: 2)?.remaining == 2)  // 1 counted + 1 reserved + this one
        ledger.settle(key, weight: 1, counts: counts(current: 2), now: 3)
        #expect(ledger.entries[key]?.reserved == 0)
        #expect(ledger.decide(key, weight: 1, now: 4)?.remaining == 1)  // 2 counted + 1 pending + this one
    }

    @Test("a batch is weighed whole: denied without taking anything when it does not fit")
    func weights() {
        var ledger = ledger()
        ledger.learn(counts(current: 2), for: key, now: 0)
        #expect(ledger.decide(key, weight: 4, now: 0)?.allowed == false)
        #expect(ledger.decide(key, weight: 3, now: 0)?.allowed == true)
        #expect(ledger.entries[key]?.pending == 3)
    }

    @Test("counts older than the staleness bound send decisions back to Redis")
    func staleness() {
        var ledger = ledger()
        ledger.learn(counts(current: 1), for: key, now: 0)
        #expect(ledger.decide(key, weight: 1, now: 2_000) != nil)
        #expect(ledger.decide(key, weight: 1, now: 2_001) == nil)
    }

    @Test("the sliding window: the previous window's count fades as the window moves on")
    func slidingWindow() {
        var ledger = RateLimitLedger(staleAfterMilliseconds: 100_000, maximumEntries: 10)
        // The whole budget was used at the very end of window 1000.
        ledger.learn(counts(current: 5, elapsed: 59_000), for: key, now: 0)
        #expect(ledger.decide(key, weight: 1, now: 500)?.allowed == false)
        // Half-way through window 1001 the old 5 count as 2.5: two more fit, not three.
        #expect(ledger.decide(key, weight: 2, now: 31_000)?.allowed == true)
        #expect(ledger.decide(key, weight: 1, now: 31_000)?.allowed == false)
    }

    @Test("a sync sends pending grants, Redis' answer replaces the counts; a failed sync keeps them pending")
    func syncRoundTrip() {
        var ledger = ledger()
        ledger.learn(counts(current: 1), for: key, now: 0)
        _ = ledger.decide(key, weight: 1, now: 1)
        _ = ledger.decide(key, weight: 1, now: 1)
        let batch = ledger.beginSync(now: 2)
        #expect(batch.count == 1 && batch[0].weight == 2)
        #expect(ledger.entries[key]?.pending == 0 && ledger.entries[key]?.inFlight == 2)
        // A grant while the sync is in flight counts against the budget too.
        #expect(ledger.decide(key, weight: 1, now: 3)?.remaining == 1)
        ledger.completeSync(key, sent: 2, counts: counts(current: 3, elapsed: 3), now: 4)
        #expect(ledger.entries[key]?.inFlight == 0 && ledger.entries[key]?.pending == 1)
        #expect(ledger.decide(key, weight: 1, now: 5)?.remaining == 0)  // 3 in Redis + 1 pending + this one

        let failed = ledger.beginSync(now: 6)
        #expect(failed.first?.weight == 2)
        ledger.completeSync(key, sent: 2, counts: nil, now: 7)
        #expect(ledger.entries[key]?.pending == 2 && ledger.entries[key]?.inFlight == 0)
    }

    @Test("other processes' grants show up after a sync")
    func othersGrants() {
        var ledger = ledger()
        ledger.learn(counts(current: 1), for: key, now: 0)
        _ = ledger.decide(key, weight: 1, now: 1)
        let batch = ledger.beginSync(now: 2)
        // Redis holds our 2 plus 3 granted by another gateway.
        ledger.completeSync(key, sent: batch[0].weight, counts: counts(current: 5, elapsed: 2), now: 3)
        #expect(ledger.decide(key, weight: 1, now: 4)?.allowed == false)
    }

    @Test("only grants are synced: a subject costs Redis no more calls than it sends requests")
    func onlyGrantsAreSynced() {
        var ledger = ledger()
        ledger.learn(counts(current: 5), for: key, now: 0)
        for _ in 0..<10 { #expect(ledger.decide(key, weight: 1, now: 1)?.allowed == false) }
        #expect(ledger.beginSync(now: 2).isEmpty)
    }

    @Test("older counts never replace newer ones")
    func ordering() {
        var ledger = ledger()
        ledger.learn(counts(current: 4, elapsed: 100), for: key, now: 0)
        ledger.learn(counts(current: 1, elapsed: 50), for: key, now: 1)
        #expect(ledger.entries[key]?.counts?.current == 4)
    }

    @Test("a denial says when the request fits: as the previous window's share shrinks, or in the next window")
    func waitUntilItFits() {
        // 30 s into the window, the previous window's 5 weigh 2.5: 3 more fit once they weigh 2, 6 s later.
        let halfway = counts(previous: 5, current: 0, elapsed: 30_000)
        #expect(halfway.wait(toAdd: 3, limit: 5, at: halfway.serverMilliseconds) == 6_000)
        #expect(halfway.wait(toAdd: 2, limit: 5, at: halfway.serverMilliseconds) == 0)
        let full = counts(current: 3, elapsed: 10_000)
        // 3 counted + 1 local = 4; 2 more need 4 × (1 − e) ≤ 3, e ≥ ¼ of the next window.
        #expect(full.wait(toAdd: 2, beyond: 1, limit: 5, at: full.serverMilliseconds) == 50_000 + 15_000)
        // More than the limit never fits: the time until the window is empty.
        #expect(full.wait(toAdd: 6, limit: 5, at: full.serverMilliseconds) == 50_000 + 60_000)
        // Later than the snapshot, with windows rolled over, the counts have decayed accordingly.
        #expect(full.wait(toAdd: 5, limit: 5, at: full.serverMilliseconds + 120_000) == 0)
    }

    @Test("idle subjects are forgotten after two windows; the table is bounded")
    func eviction() {
        var ledger = RateLimitLedger(staleAfterMilliseconds: 2_000, maximumEntries: 2)
        ledger.learn(counts(current: 1), for: key, now: 0)
        #expect(ledger.beginSync(now: 1).isEmpty)  // nothing granted locally, nothing to send
        #expect(ledger.entries[key] != nil)
        _ = ledger.beginSync(now: 120_001)
        #expect(ledger.entries[key] == nil)

        for name in ["a", "b", "c"] {
            let other = RateLimitLedger.Key(subject: name, limit: 5, windowMilliseconds: 60_000)
            ledger.learn(counts(current: 1), for: other, now: 0)
        }
        #expect(ledger.entries.count == 2)
    }
}

extension RateLimitLedger {
    /// Redis answered a request for `key` that was reserved with weight 0: the ledger now holds `counts`.
    fileprivate mutating func learn(_ counts: WindowCounts, for key: Key, now: Int64) {
        if reserve(key, weight: 0, now: now) { settle(key, weight: 0, counts: counts, now: now) }
    }
}
