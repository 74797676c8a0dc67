import PostgresNIO

/// Postgres refusing a statement because of one value it carries (a value no column or index can hold), as opposed
/// to Postgres being unreachable or busy. Retrying the same data cannot succeed.
public struct PostgresRefusal: Error, CustomStringConvertible {
    /// The SQLSTATE code, e.g. `54000` for an index row too large.
    public var sqlState: String
    public var message: String

    public var description: String { "Postgres refused the data (SQLSTATE \(sqlState)): \(message)" }

    /// SQLSTATEs that name one value, not the schema or the code: a string too long for its column (22001), a
    /// number out of range (22003), a date or time that cannot be read (22007, 22008), a character the database
    /// cannot store (22021, 22P05), text that is no valid value of its type (22P02), an index entry over the page
    /// limit (54000). Left out on purpose: not-null, check, foreign-key and unique violations (class 23) and the
    /// rest of class 22, which a migration or a bug in a statement causes for every record alike. Dead-lettering
    /// would then empty the whole stream into the dead-letter topic; retrying pauses it until someone fixes the
    /// cause.
    static let valueStates: Set<String> = ["22001", "22003", "22007", "22008", "22021", "22P02", "22P05", "54000"]

    /// The refusal `error` is, or nil when it is anything else (connection lost, serialization failure, shutdown…).
    public init?(_ error: any Error) {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState],
            Self.valueStates.contains(state)
        else { return nil }
        sqlState = state
        message = error.serverInfo?[.message] ?? ""
    }
}
