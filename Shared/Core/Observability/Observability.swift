import Foundation
import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics set-up. Call once, from `main`, before anything logs.
public enum Observability {
    /// Bootstraps swift-log (JSON or text to stdout) and swift-metrics (Prometheus); returns the registry that
    /// `/metrics` renders.
    public static func bootstrap(
        service: String, level: Logger.Level, format: InfrastructureSettings.LogFormat
    ) -> PrometheusCollectorRegistry {
        LoggingSystem.bootstrap(
            { label, metadataProvider in
                switch format {
                case .json:
                    var handler = JSONLogHandler(label: label, level: level)
                    handler.metadata["service"] = "\(service)"
                    handler.metadataProvider = metadataProvider
                    return handler
                case .text:
                    var handler = StreamLogHandler.standardOutput(label: label, metadataProvider: metadataProvider)
                    handler.logLevel = level
                    return handler
                }
            }, metadataProvider: RequestScope.metadataProvider)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        // Always-present series: which service this is and when it started (restarts show as steps).
        Gauge(label: "service_info", dimensions: [("service", service)]).record(1)
        Gauge(label: "process_start_time_seconds").record(Date().timeIntervalSince1970)
        return registry
    }
}
