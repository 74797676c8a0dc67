import Crypto
import Foundation

extension UUID {
    /// A name-based UUID (RFC 9562 version 8, SHA-256 of `name`): the same cause always yields the same event id,
    /// so an output produced twice (a handler re-run after a crash, a redelivered input) carries one `event-id`
    /// that the outbox's unique constraint and downstream consumers collapse into one.
    public init(deterministicFrom name: String) {
        var bytes = Array(SHA256.hash(data: Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        self = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
