import Crypto
import Foundation
import JWTKit
import Logging
import NIOConcurrencyHelpers

/// Verifies Supabase-style JWTs: HS256 with the shared secret, ES256/RS256 with keys from a JWKS.
///
/// Before any signature work the header is checked: `alg` must be one we accept *for the key it selects* — HS256
/// only with the shared secret, ES256/RS256 only with a JWKS key named by `kid` (and matching that key's declared
/// algorithm). That closes `alg: none` and the HS-with-public-key confusion regardless of library fallbacks.
/// Verified tokens are cached by SHA-256 digest until they expire.
public final class JWTVerifier: Sendable {
    private let configuration: JWTConfiguration
    private let hmacKeys: JWTKeyCollection?
    private let jwks = NIOLockedValueBox<JWKSKeys?>(nil)
    private let cache: VerifiedTokenCache
    private let logger: Logger
    /// Called with an unknown `kid` so a refresher can fetch a rotated JWKS.
    private let unknownKeyHandler = NIOLockedValueBox<(@Sendable (String) -> Void)?>(nil)

    /// Keys of one JWKS generation.
    struct JWKSKeys: Sendable {
        let collection: JWTKeyCollection
        /// kid → declared `alg` (nil when the JWK does not declare one).
        let algorithms: [String: String?]
    }

    public init(configuration: JWTConfiguration, logger: Logger) async {
        self.configuration = configuration
        self.logger = logger
        self.cache = VerifiedTokenCache(capacity: configuration.cacheCapacity)
        if let secret = configuration.hmacSecret, !secret.isEmpty {
            self.hmacKeys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        } else {
            self.hmacKeys = nil
        }
    }

    /// Replaces the JWKS keys (called by ``JWKSRefresher``).
    public func installJWKS(json: String) async throws {
        let jwksValue = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
        let collection = JWTKeyCollection()
        var algorithms: [String: String?] = [:]
        for key in jwksValue.keys {
            guard let kid = key.keyIdentifier?.string else { continue }
            try await collection.add(jwk: key)
            algorithms[kid] = key.algorithm?.rawValue
        }
        let previous = jwks.withLockedValue { current in
            defer { current = JWKSKeys(collection: collection, algorithms: algorithms) }
            return current
        }
        // A key that left the set is revoked: tokens it verified must not live on in the cache until their `exp`.
        if let previous, !Set(previous.algorithms.keys).isSubset(of: algorithms.keys) { cache.removeAll() }
        logger.info("JWKS installed", metadata: ["kids": "\(algorithms.keys.sorted())"])
    }

    func onUnknownKey(_ handler: @escaping @Sendable (String) -> Void) {
        unknownKeyHandler.withLockedValue { $0 = handler }
    }

    /// Verifies a compact JWS and returns the user it proves.
    public func verify(_ token: String, now: Date = Date()) async throws(AuthError) -> AuthenticatedUser {
        guard !token.isEmpty else { throw AuthError(.missingToken, "no token") }
        let digest = TokenDigest(of: token)
        if let cached = cache.lookup(digest) {
            try checkTime(expiresAt: cached.expiresAt, notBefore: nil, now: now)
            return cached
        }
        let header = try TokenHeader.parse(token)
        let claims: SupabaseClaims
        do {
            switch header.alg {
            case "HS256":
                guard let hmacKeys else { throw AuthError(.unsupportedAlgorithm, "HS256 tokens are not accepted") }
                if let kid = header.kid, jwks.withLockedValue({ $0?.algorithms[kid] != nil }) {
                    // A kid naming a public key with an HMAC alg is the key-confusion attack.
                    throw AuthError(.unsupportedAlgorithm, "HS256 cannot be used with public key \(kid)")
                }
                claims = try await hmacKeys.verify(token, as: SupabaseClaims.self)
            case "ES256", "RS256":
                guard let keys = jwks.withLockedValue({ $0 }) else {
                    throw AuthError(.unsupportedAlgorithm, "\(header.alg) tokens need a JWKS (JWT_JWKS_URL)")
                }
                guard let kid = header.kid else { throw AuthError(.unknownKey, "\(header.alg) token without kid") }
                guard let declared = keys.algorithms[kid] else {
                    unknownKeyHandler.withLockedValue { $0 }?(kid)
                    throw AuthError(.unknownKey, "no key with kid \(kid)")
                }
                if let declared, declared != header.alg {
                    throw AuthError(.unsupportedAlgorithm, "key \(kid) is for \(declared), token says \(header.alg)")
                }
                claims = try await keys.collection.verify(token, as: SupabaseClaims.self)
            default:
                throw AuthError(.unsupportedAlgorithm, "alg \(header.alg) is not accepted")
            }
        } catch let error as AuthError {
            throw error
        } catch {
            throw Self.map(error)
        }
        let user = try validate(claims, now: now)
        cache.store(digest, user)
        return user
    }

    private func validate(_ claims: SupabaseClaims, now: Date) throws(AuthError) -> AuthenticatedUser {
        guard let subject = claims.sub?.value, !subject.isEmpty else { throw AuthError(.missingClaim, "token has no sub") }
        guard let expiration = claims.exp?.value else { throw AuthError(.missingClaim, "token has no exp") }
        try checkTime(expiresAt: expiration, notBefore: claims.nbf?.value, now: now)
        if let audience = configuration.audience {
            guard claims.aud?.value.contains(audience) == true else {
                throw AuthError(.invalidAudience, "token audience does not include \(audience)")
            }
        }
        if let issuer = configuration.issuer {
            guard claims.iss?.value == issuer else { throw AuthError(.invalidIssuer, "token issuer is not \(issuer)") }
        }
        return AuthenticatedUser(userID: subject, email: claims.email, role: claims.role, expiresAt: expiration)
    }

    private func checkTime(expiresAt: Date, notBefore: Date?, now: Date) throws(AuthError) {
        let leeway = TimeInterval(configuration.leeway.components.seconds)
        if now.timeIntervalSince(expiresAt) > leeway { throw AuthError(.expired, "token expired at \(expiresAt)") }
        if let notBefore, notBefore.timeIntervalSince(now) > leeway {
            throw AuthError(.notYetValid, "token not valid before \(notBefore)")
        }
    }

    private static func map(_ error: any Error) -> AuthError {
        if let jwtError = error as? JWTError {
            switch jwtError.errorType {
            case .signatureVerificationFailed: return AuthError(.invalidSignature, "signature does not verify")
            case .malformedToken: return AuthError(.malformedToken, "malformed token")
            default: return AuthError(.invalidSignature, "token rejected: \(jwtError.errorType)")
            }
        }
        return AuthError(.malformedToken, "token could not be decoded")
    }
}

/// The protected header fields we check before verifying.
struct TokenHeader {
    var alg: String
    var kid: String?

    static func parse(_ token: String) throws(AuthError) -> TokenHeader {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw AuthError(.malformedToken, "a JWT has three dot-separated parts")
        }
        guard let data = Base64URL.decode(parts[0]),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw AuthError(.malformedToken, "header is not base64url JSON") }
        guard let alg = object["alg"] as? String else { throw AuthError(.malformedToken, "header has no alg") }
        return TokenHeader(alg: alg, kid: object["kid"] as? String)
    }
}

enum Base64URL {
    static func decode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64)
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
