import KafkaKit
import Logging
import Metrics
import ServiceLifecycle
import Shared

/// Publishes `message_consumer_lag{topic,partition}` (high watermark − next offset written) every few seconds.
struct LagReporter: Service {
    let consumer: KafkaConsumer
    let materializer: NotificationMaterializer
    let interval: Duration

    func run() async throws {
        while true {
            await Task.sleepUnlessShuttingDown(for: interval)
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            let written = materializer.writtenOffsets
            for partition in consumer.assignment {
                guard let (_, high) = try? await consumer.watermarks(for: partition) else { continue }
                let next = written[partition] ?? high
                Gauge(label: "message_consumer_lag", dimensions: [("topic", partition.topic), ("partition", String(partition.partition))])
                    .record(max(0, high - next))
            }
        }
    }
}
