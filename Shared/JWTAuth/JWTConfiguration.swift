/// How tokens are verified. Supabase issues HS256 tokens signed with the project's JWT secret, and (newer
/// projects) ES256/RS256 tokens whose public keys are published as a JWKS.
public struct JWTConfiguration: Sendable {
    /// Shared secret for HS256 (`JWT_SECRET`); `nil` disables HS256.
    public var hmacSecret: String?
    /// JWKS location (`JWT_JWKS_URL`): `http(s)://…` or a file path / `file://` URL; `nil` disables ES256/RS256.
    public var jwksLocation: String?
    /// Expected `aud` (`JWT_AUDIENCE`); checked only when set.
    public var audience: String?
    /// Expected `iss` (`JWT_ISSUER`); checked only when set.
    public var issuer: String?
    /// Clock skew tolerated for `exp` and `nbf`.
    public var leeway: Duration = .seconds(10)
    /// How often the JWKS is re-fetched; an unknown `kid` also triggers a fetch (at most every `jwksMinimumRefresh`).
    public var jwksRefreshInterval: Duration = .seconds(600)
    public var jwksMinimumRefresh: Duration = .seconds(30)
    /// Verified tokens remembered (by SHA-256 of the token) so repeat requests skip signature checks.
    public var cacheCapacity: Int = 10_000

    public init(hmacSecret: String? = nil, jwksLocation: String? = nil, audience: String? = nil, issuer: String? = nil) {
        self.hmacSecret = hmacSecret
        self.jwksLocation = jwksLocation
        self.audience = audience
        self.issuer = issuer
    }
}
