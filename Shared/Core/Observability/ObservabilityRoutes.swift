import Hummingbird
import NIOCore
import Prometheus

/// `/health/live`, `/health/ready` and `/metrics`, mountable on any Hummingbird router.
public enum ObservabilityRoutes {
    public static func add<Context: RequestContext>(
        to router: Router<Context>, health: HealthChecks, registry: PrometheusCollectorRegistry
    ) {
        router.get("/health/live") { _, _ -> Response in
            json(.ok, #"{"status":"live"}"#)
        }
        router.get("/health/ready") { _, _ -> Response in
            let report = await health.evaluate()
            let checks = report.results.map { result in
                "\(JSONLogHandler.quoted(result.name)):\(result.error.map { JSONLogHandler.quoted($0) } ?? "\"ok\"")"
            }.joined(separator: ",")
            let body = #"{"status":"\#(report.ready ? "ready" : "not_ready")","checks":{\#(checks)}}"#
            return json(report.ready ? .ok : .serviceUnavailable, body)
        }
        router.get("/metrics") { _, _ -> Response in
            var buffer = [UInt8]()
            buffer.reserveCapacity(16_384)
            registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
