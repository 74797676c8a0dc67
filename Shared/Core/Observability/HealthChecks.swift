import Logging
import NIOConcurrencyHelpers

/// Named readiness checks. `/health/ready` answers 200 only when every check passes and the process is not
/// draining; the body names each check's result, so an operator sees which dependency is down.
public final class HealthChecks: Sendable {
    public typealias Check = @Sendable () async throws -> Void

    private let checks = NIOLockedValueBox<[(name: String, check: Check)]>([])
    private let draining = NIOLockedValueBox(false)

    public init() {}

    public func add(_ name: String, _ check: @escaping Check) {
        checks.withLockedValue { $0.append((name, check)) }
    }

    /// Marks the process as shutting down: readiness fails from now on so load balancers stop sending traffic.
    public func startDraining() { draining.withLockedValue { $0 = true } }
    public var isDraining: Bool { draining.withLockedValue { $0 } }

    public struct Report: Sendable {
        public var ready: Bool
        public var results: [(name: String, error: String?)]
    }

    /// Runs every check concurrently, each bounded by `timeout`.
    public func evaluate(timeout: Duration = .seconds(2)) async -> Report {
        let all = checks.withLockedValue { $0 }
        var results: [(name: String, error: String?)] = []
        await withTaskGroup(of: (Int, String, String?).self) { group in
            for (index, entry) in all.enumerated() {
                group.addTask {
                    let error = await Self.runBounded(entry.check, timeout: timeout)
                    return (index, entry.name, error)
                }
            }
            var collected: [(Int, String, String?)] = []
            for await result in group { collected.append(result) }
            results = collected.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
        let draining = isDraining
        if draining { results.append(("shutdown", "draining")) }
        return Report(ready: !draining && results.allSatisfy { $0.error == nil }, results: results)
    }

    private static func runBounded(_ check: @escaping Check, timeout: Duration) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await check()
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : "timed out after \(timeout)"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
