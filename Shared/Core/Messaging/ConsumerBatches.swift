import KafkaKit
import Logging
import ServiceLifecycle

/// The consume loop every worker shares: records are gathered into batches bounded by count and time, and each batch
/// is handed to `flush` (which makes it durable, offsets included). A batch is flushed before partitions are given
/// up, on shutdown, and when the consumer closes, so the next owner starts after what was written. A batch that
/// cannot be made durable before shutdown (a dependency is down) is left uncommitted and the loop ends cleanly: the
/// next owner handles those records again. Partitions that cannot be positioned yet (their stored offsets live in a
/// database that is down) are retried with back-off, as a batch that cannot be written is: the loop pauses, it does
/// not exit.
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
        logger: Logger,
        onRevoked: ([KafkaTopicPartition]) -> Void = { _ in },
        flush: ([KafkaConsumerRecord]) async throws -> Void
    ) async throws {
        do {
            try await loop(consumer, logger: logger, onRevoked: onRevoked, flush: flush)
        } catch is StopConsuming {
            return
        }
    }

    private func loop(
        _ consumer: KafkaConsumer,
        logger: Logger,
        onRevoked: ([KafkaTopicPartition]) -> Void,
        flush: ([KafkaConsumerRecord]) async throws -> Void
    ) async throws {
        var positionBackoff = Duration.milliseconds(100)
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
            let polled: KafkaConsumer.PollResult
            do {
                polled = try await consumer.poll(timeout: timeout)
                positionBackoff = .milliseconds(100)
            } catch let error as KafkaError {
                throw error
            } catch {
                // Reading the new partitions' stored offsets failed: the assignment stays pending and the next poll
                // retries it. Nothing is consumed from them meanwhile.
                logger.warning(
                    "could not position assigned partitions; retrying",
                    metadata: ["error": "\(String(reflecting: error))", "backoff": "\(positionBackoff)"])
                await Task.sleepUnlessShuttingDown(for: positionBackoff)
                positionBackoff = min(positionBackoff * 2, .seconds(5))
                continue
            }
            switch polled {
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
