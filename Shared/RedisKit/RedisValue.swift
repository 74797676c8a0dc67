/// A Redis reply, copied out of hiredis' reply tree.
public enum RedisValue: Sendable, Hashable {
    case null
    case integer(Int64)
    /// A bulk string; binary-safe.
    case bulk([UInt8])
    /// A simple status such as `OK`.
    case status(String)
    /// An error reply such as `NOSCRIPT …`; commands surface it as ``RedisError/Code/serverError``.
    case error(String)
    case array([RedisValue])

    /// Bulk or status text as UTF-8.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        case .integer(let value): String(value)
        default: nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isNull: Bool { self == .null }
}

/// A Redis failure with a stable code.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public var description: String { raw }

        /// Could not connect, or the connection broke mid-command.
        public static let connectionFailed = Code("connection_failed")
        /// The command did not complete within the configured timeout.
        public static let timedOut = Code("timed_out")
        /// Redis answered with an error reply.
        public static let serverError = Code("server_error")
        /// The reply did not have the expected shape.
        public static let unexpectedReply = Code("unexpected_reply")
        /// The client has been shut down.
        public static let shutdown = Code("shutdown")
        /// The configuration (URL) is invalid.
        public static let configuration = Code("configuration")
    }

    public let code: Code
    public let message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "RedisError(\(code)): \(message)" }
}
