import KafkaKit
import ServiceLifecycle

/// The consume loop every worker shares: records are gathered into batches bounded by count and time, and each batch
/// is handed to `flush` (which makes it durable, offsets included). A batch is flushed before partitions are given
/// up, on shutdown, and when the consumer closes, so the next owner starts after what was written. A batch that
/// cannot be made durable before shutdown (a dependency is down) is left uncommitted and the loop ends cleanly: the
/// next owner handles those records again.
public struct ConsumerBatches: Sendable {
    public var size: Int
    public var wait: Duration

    public init(size: Int, wait: Duration) {
        self.size = size
        self.wait = wait
    }

    struct StopConsuming: Error {}

    public func run(
        _ consumer: KafkaConsumer,
        onRevoked: ([KafkaTopicPartition]) -> Void = { _ in },
        flush: ([KafkaConsumerRecord]) async throws -> Void
    ) async throws {
        do {
            try await loop(consumer, onRevoked: onRevoked, flush: flush)
        } catch is StopConsuming {
            return
        }
    }

    private func loop(
        _ consumer: KafkaConsumer,
        onRevoked: ([KafkaTopicPartition]) -> Void,
        flush: ([KafkaConsumerRecord]) async throws -> Void
    ) async throws {
        var batch: [KafkaConsumerRecord] = []
        var flushAt = ContinuousClock.now
        func drain() async throws {
            guard !batch.isEmpty else { return }
            let records = batch
            batch.removeAll(keepingCapacity: true)
            do {
                try await flush(records)
            } catch where Task.isShuttingDownGracefully {
                throw StopConsuming()
            }
        }
        while !Task.isShuttingDownGracefully {
            let timeout = batch.isEmpty ? Duration.milliseconds(200) : max(.zero, flushAt - ContinuousClock.now)
            switch try await consumer.poll(timeout: timeout) {
            case .closed:
                try await drain()
                return
            case .timedOut:
                if ContinuousClock.now >= flushAt { try await drain() }
            case .event(.record(let record)):
                if batch.isEmpty { flushAt = ContinuousClock.now + wait }
                batch.append(record)
                if batch.count >= size { try await drain() }
            case .event(.partitionsRevoked(let partitions)):
                try await drain()
                onRevoked(partitions)
            case .event(.partitionsAssigned):
                break
            }
        }
        try await drain()
    }
}
