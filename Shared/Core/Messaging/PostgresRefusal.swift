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
