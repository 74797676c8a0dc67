import AvroKit
import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Shared

/// Fires due timers. Each round claims the oldest due timers with `FOR UPDATE SKIP LOCKED` — so instances side by
/// side never fire one timer twice, and a timer whose instance is down is simply claimed by the next round of any
/// instance — and fires them in one transaction with the same effects as an event (state, timers, outbox).
public final class TimerFirer: Service, Sendable {
    private let postgres: PostgresClient
    private let engine: SagaEngine
    private let relay: OutboxRelay?
    private let interval: Duration
    private let batchSize: Int
    private let logger: Logger

    public init(
        postgres: PostgresClient, engine: SagaEngine, relay: OutboxRelay?, interval: Duration, batchSize: Int = 100,
        logger: Logger
    ) {
        self.postgres = postgres
        self.engine = engine
        self.relay = relay
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        var backoff = Duration.milliseconds(100)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let claimed = try await fireRound()
                backoff = .milliseconds(100)
                if claimed < batchSize { await Task.sleepUnlessShuttingDown(for: interval) }
            } catch {
                if Task.isCancelled { break }
                logger.warning("timer round failed; firing one at a time", metadata: ["error": "\(String(reflecting: error))"])
                await fireIndividually()
                await Task.sleepUnlessShuttingDown(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// One round in one transaction. - Returns: how many due timers were claimed.
    func fireRound(limit: Int? = nil) async throws -> Int {
        let (engine, logger, batchSize) = (self.engine, self.logger, limit ?? self.batchSize)
        let (claimed, written) = try await postgres.withTransaction(logger: logger) { connection -> (Int, Int) in
            let timers = try await Self.claimDue(limit: batchSize, on: connection, logger: logger)
            var written = 0
            for timer in timers {
                guard let outputs = try await engine.fire(timer, on: connection) else {
                    engine.metrics.timersBusy.increment()
                    continue
                }
                written += outputs
                engine.metrics.timersFired.increment()
                engine.metrics.timerLag.recordNanoseconds(Int64(max(0, Date().timeIntervalSince(timer.dueAt)) * 1e9))
            }
            return (timers.count, written)
        }
        if written > 0 { relay?.nudge() }
        return claimed
    }

    /// After a failed round: each due timer alone, so one that keeps failing cannot hold back the rest. A timer
    /// that fails alone is postponed (and logged), not dropped.
    private func fireIndividually() async {
        for _ in 0..<batchSize {
            do {
                if try await fireRound(limit: 1) == 0 { return }
            } catch {
                logger.error("a timer keeps failing; postponed by 30 s", metadata: ["error": "\(String(reflecting: error))"])
                _ = try? await postgres.query(
                    """
                    UPDATE saga_timers SET due_at = now() + interval '30 seconds'
                    WHERE (saga, saga_key, timer_name) = (
                        SELECT saga, saga_key, timer_name FROM saga_timers WHERE due_at <= now()
                        ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                    """, logger: logger)
            }
        }
    }

    static func claimDue(limit: Int, on connection: PostgresConnection, logger: Logger) async throws -> [SagaEngine.DueTimer] {
        let rows = try await connection.query(
            """
            SELECT saga, saga_key, timer_name, due_at, payload::text FROM saga_timers
            WHERE due_at <= now() ORDER BY due_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var timers: [SagaEngine.DueTimer] = []
        for try await (saga, key, name, dueAt, payload) in rows.decode((String, String, String, Date, String).self) {
            timers.append(SagaEngine.DueTimer(
                saga: saga, key: key, name: name, dueAt: dueAt, stored: (try? JSONValue.parse(payload)) ?? .null))
        }
        return timers
    }
}
