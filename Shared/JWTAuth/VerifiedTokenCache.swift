import Crypto
import Foundation
import NIOConcurrencyHelpers

/// A token's SHA-256, as the cache's key: four words hash and compare faster than a 32-byte array.
struct TokenDigest: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    init(of token: String) {
        var token = token
        let hash = token.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        words = hash.withUnsafeBytes { raw in
            (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
    }

    static func == (lhs: TokenDigest, rhs: TokenDigest) -> Bool { lhs.words == rhs.words }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// A bounded map from token digest to the user it proved. Entries are only trusted until the token's `exp`
/// (checked by the caller on every hit); when full, expired entries go first, then an arbitrary half.
final class VerifiedTokenCache: Sendable {
    private let capacity: Int
    private let entries = NIOLockedValueBox<[TokenDigest: AuthenticatedUser]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    func lookup(_ digest: TokenDigest) -> AuthenticatedUser? {
        guard capacity > 0 else { return nil }
        return entries.withLockedValue { $0[digest] }
    }

    /// Forgets every verified token (the keys they were verified with changed).
    func removeAll() {
        entries.withLockedValue { $0.removeAll() }
    }

    func store(_ digest: TokenDigest, _ user: AuthenticatedUser) {
        guard capacity > 0 else { return }
        entries.withLockedValue { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > .now }
                if entries.count >= capacity {
                    entries = Dictionary(uniqueKeysWithValues: entries.prefix(capacity / 2).map { ($0.key, $0.value) })
                }
            }
            entries[digest] = user
        }
    }
}
