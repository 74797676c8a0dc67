import KafkaKit
import Logging
import PostgresNIO

/// Postgres refusing a statement because of the data it carries (a value no column or index can hold, a broken
/// constraint), as opposed to Postgres being unreachable or busy. Retrying the same data cannot succeed.
public struct PostgresRefusal: Error, CustomStringConvertible {
    /// The SQLSTATE code, e.g. `54000` for an index row too large.
    public var sqlState: String
    public var message: String

    public var description: String { "Postgres refused the data (SQLSTATE \(sqlState)): \(message)" }

    /// SQLSTATE classes that name the data: 22 data exception, 23 integrity constraint violation, 54 program limit
    /// exceeded (an index row over the page limit, too many columns).
    static let dataClasses: Set<Substring> = ["22", "23", "54"]

    /// The refusal `error` is, or nil when it is anything else (connection lost, serialization failure, shutdown…).
    public init?(_ error: any Error) {
        var error = error
        // `withTransaction` wraps what the statements (or a deferred constraint at COMMIT) threw.
        if let transaction = error as? PostgresTransactionError, let cause = transaction.closureError ?? transaction.commitError {
            error = cause
        }
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState],
            Self.dataClasses.contains(state.prefix(2))
        else { return nil }
        sqlState = state
        message = error.serverInfo?[.message] ?? ""
    }
}

/// Commits a consumed batch in one transaction. When Postgres refuses the data of a record in it, retrying the batch
/// would fail for ever and stop the partition, so the batch is committed again record by record: the refused
/// records are handed to the caller to set aside (the dead-letter topic) and every other record is committed, in
/// consumption order, each with its own offset. Other failures are retried with back-off, as for any batch.
public struct RefusalIsolatingCommitter: Sendable {
    let maxBackoff: Duration
    let logger: Logger
    let onRetry: @Sendable () -> Void

    public init(maxBackoff: Duration, logger: Logger, onRetry: @escaping @Sendable () -> Void = {}) {
        self.maxBackoff = maxBackoff
        self.logger = logger
        self.onRetry = onRetry
    }

    /// - Parameters:
    ///   - records: the whole batch, whose offsets the last commit stores.
    ///   - work: each record that has something to write, with what it writes, in consumption order.
    ///   - commit: writes the given work and stores the given next offsets, in one transaction; returns how many
    ///     rows it wrote (for the caller's metrics).
    ///   - refused: sets aside a record whose work Postgres refused.
    /// - Returns: the sum of what the successful commits returned.
    public func commit<Work: Sendable>(
        _ records: [KafkaConsumerRecord], work: [(record: KafkaConsumerRecord, work: Work)],
        commit: ([Work], [KafkaTopicPartition: Int64]) async throws -> Int,
        refused: (KafkaConsumerRecord, PostgresRefusal) async throws -> Void
    ) async throws -> Int {
        let nextOffsets = ConsumerOffsetStore.nextOffsets(after: records)
        do {
            return try await retrying("commit batch") { try await commit(work.map(\.work), nextOffsets) }
        } catch let refusal as PostgresRefusal {
            logger.warning(
                "Postgres refused a batch; committing it record by record",
                metadata: ["records": "\(records.count)", "error": "\(refusal)"])
        }
        var written = 0
        for item in work {
            let offset = [item.record.topicPartition: item.record.offset + 1]
            do {
                written += try await retrying("commit record") { try await commit([item.work], offset) }
            } catch let refusal as PostgresRefusal {
                try await refused(item.record, refusal)
            }
        }
        // The records without work, and the refused ones: their offsets.
        return written + (try await retrying("commit batch offsets") { try await commit([], nextOffsets) })
    }

    /// Retries `operation` until it succeeds or Postgres refuses its data (thrown as a `PostgresRefusal`).
    private func retrying(_ what: String, _ operation: () async throws -> Int) async throws -> Int {
        do {
            return try await retryForever(
                what, maxBackoff: maxBackoff, logger: logger, isPermanent: { PostgresRefusal($0) != nil },
                onRetry: onRetry, operation)
        } catch {
            if let refusal = PostgresRefusal(error) { throw refusal }
            throw error
        }
    }
}
