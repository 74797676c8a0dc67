import AvroKit
import PostgresNIO

/// Why a consumed record can never be processed, however often it is retried: it goes to the dead-letter topic,
/// with `kind` as its `dlq-error-kind` header and `reason` as its `dlq-error`.
public struct HopelessRecord: Error, CustomStringConvertible {
    public var reason: String
    public var kind: String

    public var description: String { "\(kind): \(reason)" }

    public init(reason: String, kind: String) {
        self.reason = reason
        self.kind = kind
    }

    /// What `error` says about the record, or nil when it is transient (the schema registry or the database
    /// unavailable, a timeout…) and the record must be tried again.
    public init?(_ error: any Error) {
        // `withTransaction` wraps whatever its statements or the code between them threw (a saga finding its input
        // invalid while applying it, Postgres refusing the data).
        if let transaction = error as? PostgresTransactionError, let cause = transaction.closureError ?? transaction.commitError {
            self.init(cause)
            return
        }
        switch error {
        case let error as HopelessRecord: self = error
        case let error as AvroError: self.init(reason: "\(error)", kind: "decode")
        case let error as InvalidEventError: self.init(reason: error.description, kind: "invalid_event")
        case let error as DecodingError: self.init(reason: Self.describe(error), kind: "invalid_event")
        case let error as SchemaRegistryError where error.code != .unavailable: self.init(reason: "\(error)", kind: "schema")
        default:
            guard let refusal = PostgresRefusal(error) else { return nil }
            self.init(reason: refusal.description, kind: "database_refused")
        }
    }

    /// A decoding error as a field path and what was wrong with it.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "invalid field \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
