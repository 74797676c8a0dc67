import Dispatch
import Foundation
@testable import KafkaKit
import Testing

@Suite("BoundedWait", .timeLimit(.minutes(1)))
struct BoundedWaitTests {
    @Test("work that finishes in time reports true")
    func finishes() async {
        let queue = DispatchQueue(label: "bounded-wait-test")
        let finished = await BoundedWait.run(on: queue, for: .seconds(5)) { usleep(10_000) }
        #expect(finished)
    }

    @Test("work that stays blocked is left behind after the limit")
    func blocked() async {
        let queue = DispatchQueue(label: "bounded-wait-test")
        let release = DispatchSemaphore(value: 0)
        let started = ContinuousClock.now
        let finished = await BoundedWait.run(on: queue, for: .milliseconds(200)) { release.wait() }
        let waited = ContinuousClock.now - started
        release.signal()
        // It came back while the work was still blocked (the work is released only now), after the limit. How much
        // later depends on how busy the test machine is, so no upper bound here.
        #expect(!finished)
        #expect(waited >= .milliseconds(200))
    }
}
