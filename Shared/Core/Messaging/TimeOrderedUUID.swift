import Foundation
import NIOConcurrencyHelpers

extension UUID {
    /// A fresh time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then 74 random bits.
    ///
    /// Event and request ids are made on every request, and Foundation's `UUID()` on Linux opens, reads and closes
    /// `/dev/urandom` for each one; this draws from a buffer refilled from it 4 KiB at a time. Sorting
    /// by id also sorts by creation time, which keeps ids in logs and indexes roughly in arrival order.
    public static func timeOrdered() -> UUID {
        var uuid = RandomPool.shared.next16()
        let millis = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        withUnsafeMutableBytes(of: &uuid) { bytes in
            for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * index)) }
            bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
            bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        }
        return UUID(uuid: uuid)
    }

    /// The canonical lowercase text form (`8-4-4-4-12` hex digits), as ids appear in headers and JSON.
    /// Foundation's `uuidString` goes through `sprintf` and is uppercase; this is a straight table lookup.
    public var lowercasedString: String {
        String(unsafeUninitializedCapacity: 36) { output in writeLowercased(to: output) }
    }

    /// ``lowercasedString``'s 36 bytes, appended to `out` (no `String` in between).
    public func appendLowercased(to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 36))
        out.withUnsafeMutableBufferPointer { buffer in
            _ = writeLowercased(to: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
        }
    }

    private func writeLowercased(to output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let hex: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { raw in
            hex.withUTF8Buffer { digits in
                var position = 0
                for (index, byte) in raw.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        output[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    output[position] = digits[Int(byte >> 4)]
                    output[position + 1] = digits[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }
}

/// Random bytes from the kernel's CSPRNG, read 4 KiB at a time from `/dev/urandom` (kept open), so that one system
/// call serves 256 ids. (`SystemRandomNumberGenerator`, and swift-crypto's key generation built on it, make one
/// `getrandom` call per 8 bytes.)
private final class RandomPool: Sendable {
    static let shared = RandomPool()
    private static let blockSize = 4096
    private let source = FileHandle(forReadingAtPath: "/dev/urandom")
    private let state = NIOLockedValueBox((bytes: [UInt8](), offset: 0))

    func next16() -> uuid_t {
        state.withLockedValue { state in
            if state.offset + 16 > state.bytes.count {
                state.bytes = refill()
                state.offset = 0
            }
            defer { state.offset += 16 }
            return state.bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: state.offset, as: uuid_t.self) }
        }
    }

    private func refill() -> [UInt8] {
        if let block = try? source?.read(upToCount: Self.blockSize), block.count == Self.blockSize {
            return Array(block)
        }
        var generator = SystemRandomNumberGenerator()
        return (0..<(Self.blockSize / 8)).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
    }
}
