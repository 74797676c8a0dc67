/// Avro binary primitives (specification 1.11, "Binary Encoding").
enum AvroBinary {
    /// Zig-zag + base-128 varint, as used for both `int` and `long`.
    @inline(__always)
    static func writeLong(_ value: Int64, to out: inout [UInt8]) {
        var n = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while n >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: n) | 0x80)
            n >>= 7
        }
        out.append(UInt8(n))
    }

    /// IEEE 754 single, little-endian.
    @inline(__always)
    static func writeFloat(_ value: Float, to out: inout [UInt8]) {
        let bits = value.bitPattern
        out.append(UInt8(truncatingIfNeeded: bits))
        out.append(UInt8(truncatingIfNeeded: bits >> 8))
        out.append(UInt8(truncatingIfNeeded: bits >> 16))
        out.append(UInt8(truncatingIfNeeded: bits >> 24))
    }

    /// IEEE 754 double, little-endian.
    @inline(__always)
    static func writeDouble(_ value: Double, to out: inout [UInt8]) {
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 64, by: 8) {
            out.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    /// Length-prefixed UTF-8 string.
    @inline(__always)
    static func writeString(_ value: String, to out: inout [UInt8]) {
        let utf8 = value.utf8
        writeLong(Int64(utf8.count), to: &out)
        out.append(contentsOf: utf8)
    }

    /// The Avro JSON convention for `bytes`/`fixed`: each Unicode code point 0–255 of the string
    /// is one byte. Returns `nil` if a code point is above 255.
    static func latin1Bytes(_ s: String) -> [UInt8]? {
        let utf8 = s.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) { return Array(utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        for scalar in s.unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
    }

    /// Inverse of ``latin1Bytes(_:)``: bytes → string of code points 0–255.
    static func latin1String(_ bytes: UnsafeRawBufferPointer) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count * 2)
        for b in bytes { appendUTF8(UInt32(b), to: &utf8) }
        return String(decoding: utf8, as: UTF8.self)
    }
}
