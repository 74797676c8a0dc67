/// CRC-64-AVRO, the 64-bit Rabin fingerprint of the Avro specification ("Schema Fingerprints").
public enum AvroFingerprint {
    /// The fingerprint of the empty input; also the polynomial used to build the table.
    public static let empty: UInt64 = 0xc15d_213a_a4d7_a795

    private static let table: [UInt64] = (0..<256).map { i in
        var fp = UInt64(i)
        for _ in 0..<8 {
            fp = (fp >> 1) ^ (empty & (0 &- (fp & 1)))
        }
        return fp
    }

    /// Fingerprint of `bytes` (for a schema: the UTF-8 of its Parsing Canonical Form).
    /// Java returns the same bits as a signed `long`; single-object encoding writes it little-endian.
    public static func crc64Avro(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var fp = empty
        for b in bytes {
            fp = (fp >> 8) ^ table[Int((fp ^ UInt64(b)) & 0xff)]
        }
        return fp
    }
}
