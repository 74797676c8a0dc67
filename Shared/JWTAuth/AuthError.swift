/// Why a token was refused. Every case maps to HTTP 401; the code tells operators which check failed.
public struct AuthError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public var description: String { raw }

        public static let missingToken = Code("missing_token")
        public static let malformedToken = Code("malformed_token")
        /// `alg` is `none`, unknown, or not usable with the configured keys (e.g. HS256 without a secret).
        public static let unsupportedAlgorithm = Code("unsupported_algorithm")
        /// No key with the token's `kid`.
        public static let unknownKey = Code("unknown_key")
        public static let invalidSignature = Code("invalid_signature")
        public static let expired = Code("token_expired")
        public static let notYetValid = Code("token_not_yet_valid")
        public static let invalidAudience = Code("invalid_audience")
        public static let invalidIssuer = Code("invalid_issuer")
        /// The token has no `sub` (or no `exp`): it cannot identify a user for a bounded time.
        public static let missingClaim = Code("missing_claim")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "AuthError(\(code)): \(message)" }
}
