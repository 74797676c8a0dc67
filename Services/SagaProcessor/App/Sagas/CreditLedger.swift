import Foundation
import Logging
import PostgresNIO
import Shared

/// Credit changes: one `credit_ledger` row per (cause, kind) — the unique constraint makes a redelivered cause a
/// no-op — and the running balance in `credit_balances`, whose row lock serializes one user's concurrent changes and
/// whose `CHECK (balance >= 0)` backs the debit guard. Both change in the caller's transaction, so the balance always
/// equals the ledger's sum.
enum CreditLedger {
    enum Kind: String {
        case signupBonus = "credit.signup_bonus"
        case uploadDeducted = "credit.upload_deducted"
        case uploadRefunded = "credit.upload_refunded"
    }

    struct Change {
        var userID: String
        var amount: Int
        var kind: Kind
        /// What caused it: the request id of an upload, the user id of a signup.
        var cause: String
        var description: String
        var eventTime: String
    }

    enum Outcome: Equatable {
        case applied(balance: Int)
        /// This cause already changed the balance; nothing happened.
        case duplicate
        /// A debit the balance cannot cover; nothing happened.
        case insufficient
    }

    static func apply(_ change: Change, on connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        let (user, amount, kind, cause) = (change.userID, change.amount, change.kind.rawValue, change.cause)
        let (description, time) = (change.description, change.eventTime)
        if amount < 0 {
            // One statement: the guarded UPDATE takes the balance row lock; the ledger row is written only if it
            // succeeded. The trailing EXISTS sees the snapshot before this statement, i.e. an earlier application.
            let rows = try await connection.query(
                """
                WITH debit AS (
                    UPDATE credit_balances SET balance = balance + \(amount), updated_at = now()
                    WHERE user_id = \(user) AND balance + \(amount) >= 0
                      AND NOT EXISTS (SELECT 1 FROM credit_ledger WHERE cause_id = \(cause) AND event_type = \(kind))
                    RETURNING balance
                ), entry AS (
                    INSERT INTO credit_ledger (user_id, amount, event_type, description, event_time, cause_id)
                    SELECT \(user), \(amount), \(kind), \(description), \(time), \(cause) FROM debit
                    RETURNING id
                )
                SELECT (SELECT balance FROM debit),
                       EXISTS (SELECT 1 FROM credit_ledger WHERE cause_id = \(cause) AND event_type = \(kind)),
                       (SELECT count(*) FROM entry)
                """, logger: logger)
            for try await (balance, seen, _) in rows.decode((Int32?, Bool, Int64).self) {
                if seen { return .duplicate }
                return balance.map { .applied(balance: Int($0)) } ?? .insufficient
            }
            return .insufficient
        }
        let rows = try await connection.query(
            """
            WITH entry AS (
                INSERT INTO credit_ledger (user_id, amount, event_type, description, event_time, cause_id)
                VALUES (\(user), \(amount), \(kind), \(description), \(time), \(cause))
                ON CONFLICT (cause_id, event_type) DO NOTHING
                RETURNING user_id, amount
            ), credit AS (
                INSERT INTO credit_balances (user_id, balance) SELECT user_id, amount FROM entry
                ON CONFLICT (user_id) DO UPDATE SET balance = credit_balances.balance + EXCLUDED.balance, updated_at = now()
                RETURNING balance
            )
            SELECT (SELECT balance FROM credit)
            """, logger: logger)
        for try await balance in rows.decode(Int32?.self) {
            return balance.map { .applied(balance: Int($0)) } ?? .duplicate
        }
        return .duplicate
    }
}

extension SagaStep {
    /// Applies a credit change and, when it happened, emits its `credit.balance_changed` event.
    func changeCredits(
        _ change: CreditLedger.Change, reason: String, requestID: String?, fileName: String?
    ) async throws -> CreditLedger.Outcome {
        let outcome = try await CreditLedger.apply(change, on: connection, logger: logger)
        if case .applied(let balance) = outcome {
            try await emit(
                topic: SagaTopics.balanceChanged, key: change.userID,
                CreditBalanceChanged(
                    userID: change.userID, amount: change.amount, balance: balance, reason: reason, requestID: requestID,
                    fileName: fileName, eventTime: change.eventTime))
        }
        return outcome
    }
}
