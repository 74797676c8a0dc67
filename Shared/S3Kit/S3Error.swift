/// A failed S3 call: the HTTP status and S3's error code (`NoSuchKey`, `AccessDenied`, …).
public struct S3Error: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// Worth retrying: the store or the network, not the request.
    public var isTransient: Bool { status >= 500 || status == 429 || status == 0 || code == "SlowDown" }
    public var isNotFound: Bool { status == 404 }

    public var description: String { "S3 \(status) \(code): \(message)" }
}
