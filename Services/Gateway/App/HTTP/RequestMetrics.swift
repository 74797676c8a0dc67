import HTTPTypes
import Metrics
import NIOConcurrencyHelpers
import Shared

/// Request metrics: `gateway_http_requests_total` and the `gateway_http_request_duration_seconds` histogram (to the
/// response head), both by route template, method and status, and `gateway_http_requests_in_flight`.
///
/// The handles for a label set are made once and kept, so a request costs one locked lookup. Labels are bounded:
/// routes are the registered templates (`NotFound` as the router labels unknown paths, `unmatched` for requests
/// answered before any handler, such as CORS preflights) and unknown methods count as `other`.
final class RequestMetrics: Sendable {
    private struct Labels: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private struct Handles: Sendable {
        let requests: Counter
        let duration: Timer
    }

    private static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]
    private let handles = NIOLockedValueBox<[Labels: Handles]>([:])
    private let inFlight = Meter(label: "gateway_http_requests_in_flight")

    /// Call once per request, before ``finished(route:method:status:since:)``.
    func started() {
        inFlight.increment()
    }

    func finished(route: String?, method: HTTPRequest.Method, status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        inFlight.decrement()
        let labels = Labels(
            route: route ?? "unmatched", method: Self.knownMethods.contains(method) ? method.rawValue : "other",
            status: status.code)
        let handles = handles.withLockedValue { cache in
            if let known = cache[labels] { return known }
            let dimensions = [("route", labels.route), ("method", labels.method), ("status", String(labels.status))]
            let made = Handles(
                requests: Counter(label: "gateway_http_requests_total", dimensions: dimensions),
                duration: Timer(label: "gateway_http_request_duration_seconds", dimensions: dimensions))
            cache[labels] = made
            return made
        }
        handles.requests.increment()
        handles.duration.record(since: start)
    }
}
