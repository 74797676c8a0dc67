import Foundation
import JWTKit
import Logging
import Testing

@testable import JWTAuth

@Suite("JWT verification")
struct JWTVerifierTests {
    static let secret = "test-secret-with-at-least-32-characters-long"
    let logger = Logger(label: "test")

    func makeVerifier(_ configure: (inout JWTConfiguration) -> Void = { _ in }) async -> JWTVerifier {
        var configuration = JWTConfiguration(hmacSecret: Self.secret)
        configure(&configuration)
        return await JWTVerifier(configuration: configuration, logger: logger)
    }

    func token(
        sub: String? = "user-1", email: String? = "a@example.com", expiresIn: TimeInterval = 3600,
        notBefore: Date? = nil, audience: String? = "authenticated", issuer: String? = nil,
        secret: String = JWTVerifierTests.secret, now: Date = Date()
    ) async throws -> String {
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let claims = SupabaseClaims(
            sub: sub.map { SubjectClaim(value: $0) }, email: email, role: "authenticated",
            exp: ExpirationClaim(value: now.addingTimeInterval(expiresIn)), nbf: notBefore.map { NotBeforeClaim(value: $0) },
            iat: IssuedAtClaim(value: now), aud: audience.map { AudienceClaim(value: [$0]) },
            iss: issuer.map { IssuerClaim(value: $0) })
        return try await keys.sign(claims)
    }

    func expectRejection(_ code: AuthError.Code, _ verifier: JWTVerifier, _ token: String, now: Date = Date()) async {
        do {
            let user = try await verifier.verify(token, now: now)
            Issue.record("accepted a token that should fail with \(code): \(user)")
        } catch {
            #expect(error.code == code, "\(error)")
        }
    }

    @Test("a valid HS256 token yields its subject and email")
    func validHS256() async throws {
        let verifier = await makeVerifier()
        let user = try await verifier.verify(try await token())
        #expect(user.userID == "user-1")
        #expect(user.email == "a@example.com")
        #expect(user.role == "authenticated")
    }

    @Test("the development minter's tokens verify")
    func minted() async throws {
        let verifier = await makeVerifier()
        let token = try await DevelopmentTokenMinter.mint(userID: "u-9", email: "u9@x.io", secret: Self.secret)
        #expect(try await verifier.verify(token).userID == "u-9")
    }

    @Test("wrong secret is rejected")
    func wrongSecret() async throws {
        await expectRejection(.invalidSignature, await makeVerifier(), try await token(secret: "another-secret-another-secret-another"))
    }

    @Test("a tampered payload is rejected")
    func tampered() async throws {
        let good = try await token()
        var parts = good.split(separator: ".").map(String.init)
        let forgedPayload = #"{"sub":"admin","exp":9999999999,"aud":["authenticated"]}"#
        parts[1] = Base64URL.encode(Data(forgedPayload.utf8))
        await expectRejection(.invalidSignature, await makeVerifier(), parts.joined(separator: "."))
    }

    @Test("expired tokens are rejected, within the leeway they pass")
    func expiry() async throws {
        let verifier = await makeVerifier()
        await expectRejection(.expired, verifier, try await token(expiresIn: -60))
        _ = try await verifier.verify(try await token(expiresIn: -5))
    }

    @Test("a cached token stops verifying once it expires")
    func cachedExpiry() async throws {
        let verifier = await makeVerifier()
        let now = Date()
        let short = try await token(expiresIn: 30, now: now)
        _ = try await verifier.verify(short, now: now)
        _ = try await verifier.verify(short, now: now)  // cache hit
        await expectRejection(.expired, verifier, short, now: now.addingTimeInterval(120))
    }

    @Test("tokens not yet valid are rejected")
    func notBefore() async throws {
        await expectRejection(.notYetValid, await makeVerifier(), try await token(notBefore: Date().addingTimeInterval(300)))
    }

    @Test("alg none is rejected")
    func algNone() async throws {
        let header = Base64URL.encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let payload = Base64URL.encode(Data(#"{"sub":"admin","exp":9999999999}"#.utf8))
        let verifier = await makeVerifier()
        await expectRejection(.unsupportedAlgorithm, verifier, "\(header).\(payload).")
        await expectRejection(.unsupportedAlgorithm, verifier, "\(header).\(payload).c2ln")
    }

    @Test("unknown algorithms are rejected", arguments: ["HS512", "RS512", "PS256", "EdDSA", "hs256"])
    func otherAlgorithms(alg: String) async throws {
        let header = Base64URL.encode(Data(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8))
        let payload = Base64URL.encode(Data(#"{"sub":"admin","exp":9999999999}"#.utf8))
        await expectRejection(.unsupportedAlgorithm, await makeVerifier(), "\(header).\(payload).c2ln")
    }

    @Test("malformed tokens are rejected", arguments: ["abc", "a.b", "a.b.c.d", "!!!.???.sig", "e30.e30.", ".."])
    func malformed(token: String) async throws {
        await expectRejection(.malformedToken, await makeVerifier(), token)
    }

    @Test("an empty token is missing")
    func empty() async throws {
        await expectRejection(.missingToken, await makeVerifier(), "")
    }

    @Test("tokens without sub are rejected")
    func missingSubject() async throws {
        await expectRejection(.missingClaim, await makeVerifier(), try await token(sub: nil))
    }

    @Test("audience and issuer are enforced when configured")
    func audienceIssuer() async throws {
        let verifier = await makeVerifier {
            $0.audience = "authenticated"
            $0.issuer = "https://project.supabase.co/auth/v1"
        }
        await expectRejection(.invalidAudience, verifier, try await token(audience: "anon", issuer: "https://project.supabase.co/auth/v1"))
        await expectRejection(.invalidIssuer, verifier, try await token(issuer: "https://evil.example"))
        _ = try await verifier.verify(try await token(issuer: "https://project.supabase.co/auth/v1"))
    }

    @Test("HS256 is refused when no secret is configured")
    func hsWithoutSecret() async throws {
        let verifier = await JWTVerifier(configuration: JWTConfiguration(), logger: logger)
        await expectRejection(.unsupportedAlgorithm, verifier, try await token())
    }

    // MARK: - JWKS (ES256)

    struct ECKeyPair {
        let privateKey = ES256PrivateKey()
        var jwksJSON: String {
            let (x, y) = privateKey.publicKey.parameters!
            return #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"k1","use":"sig","x":"\#(x)","y":"\#(y)"}]}"#
        }
    }

    func esToken(_ pair: ECKeyPair, kid: String = "k1", sub: String = "user-es") async throws -> String {
        let keys = await JWTKeyCollection().add(ecdsa: pair.privateKey, kid: JWKIdentifier(string: kid))
        let claims = SupabaseClaims(
            sub: SubjectClaim(value: sub), email: nil, role: "authenticated",
            exp: ExpirationClaim(value: Date().addingTimeInterval(600)), nbf: nil, iat: nil, aud: nil, iss: nil)
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    @Test("ES256 tokens verify against the JWKS; unknown kids and foreign keys do not")
    func es256() async throws {
        let pair = ECKeyPair()
        let verifier = await makeVerifier()
        try await verifier.installJWKS(json: pair.jwksJSON)
        #expect(try await verifier.verify(try await esToken(pair)).userID == "user-es")
        await expectRejection(.unknownKey, verifier, try await esToken(pair, kid: "k2"))
        await expectRejection(.invalidSignature, verifier, try await esToken(ECKeyPair()))
    }

    @Test("a key that leaves the JWKS revokes the tokens it verified, cached ones included")
    func rotation() async throws {
        let old = ECKeyPair()
        let verifier = await makeVerifier()
        try await verifier.installJWKS(json: old.jwksJSON)
        let token = try await esToken(old)
        #expect(try await verifier.verify(token).userID == "user-es")  // verified, now cached
        let replacement = ECKeyPair().jwksJSON.replacingOccurrences(of: #""kid":"k1""#, with: #""kid":"k2""#)
        try await verifier.installJWKS(json: replacement)
        await expectRejection(.unknownKey, verifier, token)
    }

    @Test("HS256 signed with the public key and naming its kid is rejected (key confusion)")
    func keyConfusion() async throws {
        let pair = ECKeyPair()
        let verifier = await makeVerifier()
        try await verifier.installJWKS(json: pair.jwksJSON)
        let publicPEM = pair.privateKey.publicKey.pemRepresentation
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: publicPEM), digestAlgorithm: .sha256, kid: "k1")
        let claims = SupabaseClaims(
            sub: SubjectClaim(value: "admin"), email: nil, role: nil,
            exp: ExpirationClaim(value: Date().addingTimeInterval(600)), nbf: nil, iat: nil, aud: nil, iss: nil)
        let forged = try await keys.sign(claims, kid: "k1")
        await expectRejection(.unsupportedAlgorithm, verifier, forged)
    }

    @Test("ES256 without a configured JWKS is refused")
    func esWithoutJWKS() async throws {
        await expectRejection(.unsupportedAlgorithm, await makeVerifier(), try await esToken(ECKeyPair()))
    }
}
