import Foundation
import NIOConcurrencyHelpers

/// A bounded map from token digest to the user it proved. Entries are only trusted until the token's `exp`
/// (checked by the caller on every hit); when full, expired entries go first, then an arbitrary half.
final class VerifiedTokenCache: Sendable {
    private let capacity: Int
    private let entries = NIOLockedValueBox<[[UInt8]: AuthenticatedUser]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    func lookup(_ digest: [UInt8]) -> AuthenticatedUser? {
        guard capacity > 0 else { return nil }
        return entries.withLockedValue { $0[digest] }
    }

    func store(_ digest: [UInt8], _ user: AuthenticatedUser) {
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
