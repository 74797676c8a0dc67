import Foundation
import JWTKit

/// Mints HS256 tokens shaped like Supabase's, for local development (`substrate token`) and tests.
public enum DevelopmentTokenMinter {
    public static func mint(
        userID: String,
        email: String?,
        secret: String,
        expiresIn: Duration = .seconds(3600),
        role: String = "authenticated",
        audience: String? = "authenticated",
        issuer: String? = nil,
        now: Date = Date()
    ) async throws -> String {
        // Whole seconds, as Supabase issues them (NumericDate without a fraction).
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let claims = SupabaseClaims(
            sub: SubjectClaim(value: userID),
            email: email,
            role: role,
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(expiresIn.components.seconds))),
            nbf: nil,
            iat: IssuedAtClaim(value: now),
            aud: audience.map { AudienceClaim(value: [$0]) },
            iss: issuer.map { IssuerClaim(value: $0) })
        return try await keys.sign(claims)
    }
}
