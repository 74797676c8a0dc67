import Logging
import Metrics
import NIOConcurrencyHelpers

/// Holds the route table in force and reloads it: a bad file keeps the previous table and says why.
public final class RoutesStore: Sendable {
    private let path: String
    private let table = NIOLockedValueBox(RouteTable.empty)
    private let logger: Logger
    private let reloadsOK = Counter(label: "gateway_routes_reloads_total", dimensions: [("result", "ok")])
    private let reloadsFailed = Counter(label: "gateway_routes_reloads_total", dimensions: [("result", "error")])
    private let externalCount = Gauge(label: "gateway_routes", dimensions: [("kind", "external")])
    private let webhookCount = Gauge(label: "gateway_routes", dimensions: [("kind", "webhook")])

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// The table in force (a value: callers keep a consistent snapshot).
    public var current: RouteTable { table.withLockedValue { $0 } }
    public var filePath: String { path }

    /// Re-reads the file; on any error the previous table stays. Returns whether the table changed.
    @discardableResult
    public func reload() -> Bool {
        do {
            let fresh = try RoutesFile.load(path: path)
            let changed = table.withLockedValue { current in
                defer { current = fresh }
                return current != fresh
            }
            reloadsOK.increment()
            externalCount.record(fresh.external.count)
            webhookCount.record(fresh.webhook.count)
            if changed {
                logger.info(
                    "routes loaded",
                    metadata: [
                        "file": "\(path)", "external": "\(fresh.external.keys.sorted())",
                        "webhook": "\(fresh.webhook.keys.sorted())",
                    ])
            }
            return changed
        } catch {
            reloadsFailed.increment()
            logger.error("routes file rejected; previous routes stay in force", metadata: ["file": "\(path)", "error": "\(error)"])
            return false
        }
    }

    /// Replaces the table directly (tests).
    public func install(_ routes: RouteTable) { table.withLockedValue { $0 = routes } }
}
