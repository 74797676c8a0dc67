import Foundation

/// Prints each journey as a named step with its sub-steps and their latency, and keeps the verdicts.
final class JourneyLog {
    private(set) var failed: [String] = []
    private(set) var passed: [String] = []
    private(set) var skipped: [String] = []
    private var index = 0
    private let total: Int

    init(total: Int) { self.total = total }

    /// Runs one journey; a failure is printed and remembered, and the next journey still runs.
    /// Returns whether it passed, so journeys that build on it can be skipped.
    @discardableResult
    func journey(_ name: String, requires: Bool = true, _ body: () async throws -> Void) async -> Bool {
        index += 1
        print("▶ [\(index)/\(total)] \(name)")
        guard requires else {
            print("  – skipped: an earlier journey it builds on failed")
            skipped.append(name)
            return false
        }
        let start = ContinuousClock.now
        do {
            try await body()
            print("✔ \(name) (\(Self.milliseconds(ContinuousClock.now - start)))\n")
            passed.append(name)
            return true
        } catch {
            print("✘ \(name): \(error)\n")
            failed.append(name)
            return false
        }
    }

    /// One observable step, timed from the start of the action to the moment its result was seen.
    func step<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        do {
            let result = try await body()
            let label = what.count < 76 ? what.padding(toLength: 76, withPad: " ", startingAt: 0) : what
            print("  ✔ \(label) \(Self.milliseconds(ContinuousClock.now - start))")
            return result
        } catch {
            print("  ✘ \(what): \(error)")
            throw error
        }
    }

    func summary() {
        print("\(total) journeys: \(passed.count) passed, \(failed.count) failed, \(skipped.count) skipped")
        for name in failed { print("  failed: \(name)") }
        for name in skipped { print("  skipped: \(name)") }
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
}

/// Checks a condition the way a journey states it; the message says what was expected and what came.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw E2EFailure(message()) }
}
