import KafkaKit
import Logging

/// Commits a consumed batch in one transaction. When the commit fails because of one record's data (Postgres
/// refuses a value, a handler finds the input invalid), retrying the batch would fail for ever and stop the
/// partition, so the batch is split in halves, each committed on its own, down to the records that fail alone: those
/// go to the dead-letter topic, and every other record is committed, in consumption order. One such record in a
/// batch of 500 costs about 18 commits. Transient failures are retried with back-off, as for any batch.
public struct BatchCommitter: Sendable {
    let retry: RetryPolicy
    let deadLetters: DeadLetterPublisher

    public init(retry: RetryPolicy, deadLetters: DeadLetterPublisher) {
        self.retry = retry
        self.deadLetters = deadLetters
    }

    /// - Parameters:
    ///   - records: the whole batch, whose offsets the last commit stores.
    ///   - work: each record that has something to write, with what it writes, in consumption order.
    ///   - commit: writes the given work and stores the given next offsets, in one transaction; returns how many
    ///     rows it wrote (for the caller's metrics).
    /// - Returns: the sum of what the successful commits returned, how many records were parked, and the next offsets
    ///   stored for the batch.
    public func commit<Work: Sendable>(
        _ records: [KafkaConsumerRecord], work: [(record: KafkaConsumerRecord, work: Work)],
        _ commit: ([Work], [KafkaTopicPartition: Int64]) async throws -> Int
    ) async throws -> Committed {
        let nextOffsets = ConsumerOffsetStore.nextOffsets(after: records)
        do {
            let written = try await retry.run("commit batch") { try await commit(work.map(\.work), nextOffsets) }
            return Committed(written: written, parked: 0, nextOffsets: nextOffsets)
        } catch let hopeless as HopelessRecord {
            deadLetters.logger.warning(
                "a batch cannot be committed; committing it in parts",
                metadata: ["records": "\(records.count)", "error": "\(hopeless)"])
        }
        let parts = try await isolateHalves(work[...], commit)
        // The records without work, and the parked ones: their offsets.
        let rest = try await retry.run("commit batch offsets") { try await commit([], nextOffsets) }
        return Committed(written: parts.written + rest, parked: parts.parked, nextOffsets: nextOffsets)
    }

    /// What a batch's commits wrote, how many of its records went to the dead-letter topic instead, and the next
    /// offsets stored for it.
    public struct Committed: Sendable {
        public var written: Int
        public var parked: Int
        public var nextOffsets: [KafkaTopicPartition: Int64]
    }

    /// Commits `part` with the offsets after its records, or, when one of its records makes that impossible, its
    /// halves in turn; parks a record that cannot be committed alone.
    private func isolate<Work: Sendable>(
        _ part: ArraySlice<(record: KafkaConsumerRecord, work: Work)>,
        _ commit: ([Work], [KafkaTopicPartition: Int64]) async throws -> Int
    ) async throws -> (written: Int, parked: Int) {
        guard let first = part.first else { return (0, 0) }
        let offsets = ConsumerOffsetStore.nextOffsets(after: part.map(\.record))
        do {
            return (try await retry.run("commit records") { try await commit(part.map(\.work), offsets) }, 0)
        } catch let hopeless as HopelessRecord {
            guard part.count > 1 else {
                try await deadLetters.park(first.record, hopeless, retrying: retry)
                return (0, 1)
            }
            return try await isolateHalves(part, commit)
        }
    }

    /// ``isolate(_:_:)`` on each half of `part`, in order.
    private func isolateHalves<Work: Sendable>(
        _ part: ArraySlice<(record: KafkaConsumerRecord, work: Work)>,
        _ commit: ([Work], [KafkaTopicPartition: Int64]) async throws -> Int
    ) async throws -> (written: Int, parked: Int) {
        let middle = part.startIndex + part.count / 2
        let left = try await isolate(part[..<middle], commit)
        let right = try await isolate(part[middle...], commit)
        return (left.written + right.written, left.parked + right.parked)
    }
}
