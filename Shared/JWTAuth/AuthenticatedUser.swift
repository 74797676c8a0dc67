import Foundation
import JWTKit

/// The identity a verified token proves.
public struct AuthenticatedUser: Sendable, Hashable {
    /// `sub`: the user id (Supabase: the auth.users UUID).
    public var userID: String
    public var email: String?
    /// Supabase's `role` claim (`authenticated`, `service_role`, …).
    public var role: String?
    public var expiresAt: Date

    public init(userID: String, email: String?, role: String?, expiresAt: Date) {
        self.userID = userID
        self.email = email
        self.role = role
        self.expiresAt = expiresAt
    }
}

/// The claims we read. Verification of time and audience is done by ``JWTVerifier`` (with leeway), not here.
struct SupabaseClaims: JWTPayload {
    var sub: SubjectClaim?
    var email: String?
    var role: String?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var iat: IssuedAtClaim?
    var aud: AudienceClaim?
    var iss: IssuerClaim?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
