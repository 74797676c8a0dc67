import AvroKit
import Foundation
import Logging
import PostgresNIO
import Shared

/// The SQL behind the engine: instance rows locked per key, state written back, timers armed and disarmed.
enum SagaStore {
    /// Creates the instance row if needed and locks it for the transaction; returns its state (`.null` when new).
    static func lock(saga: String, key: String, on connection: PostgresConnection, logger: Logger) async throws
        -> (state: JSONValue, finished: Bool)
    {
        // The no-op DO UPDATE takes the row lock and returns the current row in one round trip.
        let rows = try await connection.query(
            """
            INSERT INTO saga_state (saga, saga_key, state) VALUES (\(saga), \(key), 'null'::jsonb)
            ON CONFLICT (saga, saga_key) DO UPDATE SET saga = EXCLUDED.saga
            RETURNING state::text, finished
            """, logger: logger)
        for try await (text, finished) in rows.decode((String, Bool).self) { return (try JSONValue.parse(text), finished) }
        throw InvalidEventError(description: "saga row \(saga)/\(key) could not be locked")
    }

    /// Locks the instance row unless another transaction holds it (the timer firer skips busy instances rather than
    /// wait behind, or deadlock with, an event handler).
    static func lockIfFree(saga: String, key: String, on connection: PostgresConnection, logger: Logger) async throws
        -> (state: JSONValue, finished: Bool)?
    {
        let rows = try await connection.query(
            "SELECT state::text, finished FROM saga_state WHERE saga = \(saga) AND saga_key = \(key) FOR UPDATE SKIP LOCKED",
            logger: logger)
        for try await (text, finished) in rows.decode((String, Bool).self) { return (try JSONValue.parse(text), finished) }
        return nil
    }

    /// Writes what the step did: timers, state (or no row at all for an instance that never got state), outputs.
    /// - Returns: how many outputs were new in the outbox.
    static func persist(_ step: SagaStep) async throws -> Int {
        let (saga, key, connection, logger) = (step.saga, step.key, step.connection, step.logger)
        if !step.timersToCancel.isEmpty {
            _ = try await connection.query(
                "DELETE FROM saga_timers WHERE saga = \(saga) AND saga_key = \(key) AND timer_name = ANY(\(step.timersToCancel))",
                logger: logger)
        }
        for timer in step.timersToSet {
            // The flow's correlation id travels with the timer, so what it fires carries it on.
            let stored = JSONValue.object(JSONObject([("correlation_id", .string(step.correlationID)), ("payload", timer.payload)]))
            _ = try await connection.query(
                """
                INSERT INTO saga_timers (saga, saga_key, timer_name, due_at, payload)
                VALUES (\(saga), \(key), \(timer.name), \(timer.dueAt), \(stored.jsonString())::jsonb)
                ON CONFLICT (saga, saga_key, timer_name) DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload
                """, logger: logger)
        }
        if step.stateJSON == .null {
            _ = try await connection.query(
                """
                DELETE FROM saga_state WHERE saga = \(saga) AND saga_key = \(key) AND state = 'null'::jsonb
                  AND NOT EXISTS (SELECT 1 FROM saga_timers WHERE saga = \(saga) AND saga_key = \(key))
                """, logger: logger)
        } else if step.stateChanged {
            _ = try await connection.query(
                """
                UPDATE saga_state SET state = \(step.stateJSON.jsonString())::jsonb, finished = \(step.finished),
                    version = version + 1, updated_at = now()
                WHERE saga = \(saga) AND saga_key = \(key)
                """, logger: logger)
        }
        return try await Outbox.append(step.outputs, on: connection, logger: logger)
    }
}
