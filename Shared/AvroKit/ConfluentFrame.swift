/// The Confluent Schema Registry wire format: magic byte `0`, the schema id as a 4-byte
/// big-endian unsigned integer, then the Avro binary body.
public enum ConfluentFrame {
    /// The only defined magic byte.
    public static let magicByte: UInt8 = 0
    /// Magic byte plus schema id.
    public static let headerSize = 5

    /// Frames an Avro body for schema `schemaID`.
    public static func frame(schemaID: UInt32, body: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + body.count)
        appendHeader(schemaID: schemaID, to: &out)
        out.append(contentsOf: body)
        return out
    }

    /// Appends the 5-byte header to `out` (encode the body right after it to avoid a copy).
    public static func appendHeader(schemaID: UInt32, to out: inout [UInt8]) {
        out.append(magicByte)
        out.append(UInt8(truncatingIfNeeded: schemaID >> 24))
        out.append(UInt8(truncatingIfNeeded: schemaID >> 16))
        out.append(UInt8(truncatingIfNeeded: schemaID >> 8))
        out.append(UInt8(truncatingIfNeeded: schemaID))
    }

    /// Splits a framed message into schema id and body (sharing the message's storage).
    /// Fails with ``AvroError/Code/invalidFrame`` if shorter than 5 bytes or the magic byte is
    /// not 0.
    public static func parse(_ message: ArraySlice<UInt8>) throws(AvroError) -> (schemaID: UInt32, body: ArraySlice<UInt8>) {
        guard message.count >= headerSize else {
            throw AvroError(.invalidFrame, "message of \(message.count) bytes is shorter than the 5-byte header")
        }
        let s = message.startIndex
        guard message[s] == magicByte else {
            throw AvroError(.invalidFrame, "unknown magic byte \(message[s])", offset: 0)
        }
        let id = UInt32(message[s + 1]) << 24 | UInt32(message[s + 2]) << 16 | UInt32(message[s + 3]) << 8
            | UInt32(message[s + 4])
        return (id, message[(s + headerSize)...])
    }

    /// Splits a framed message into schema id and body (see ``parse(_:)-(ArraySlice<UInt8>)``).
    public static func parse(_ message: [UInt8]) throws(AvroError) -> (schemaID: UInt32, body: ArraySlice<UInt8>) {
        try parse(message[...])
    }
}
