import AvroKit
import Testing

@Suite("Confluent wire format")
struct ConfluentFrameTests {
    @Test("frame and parse round-trip with a big-endian schema id")
    func roundTrip() throws {
        let framed = ConfluentFrame.frame(schemaID: 0x0102_0304, body: [0xAA, 0xBB])
        #expect(framed == [0, 1, 2, 3, 4, 0xAA, 0xBB])
        let (id, body) = try ConfluentFrame.parse(framed)
        #expect(id == 0x0102_0304)
        #expect(Array(body) == [0xAA, 0xBB])
        let (id2, empty) = try ConfluentFrame.parse([0, 0, 0, 0, 7])
        #expect(id2 == 7 && empty.isEmpty)
    }

    @Test("short messages and wrong magic are rejected")
    func rejects() {
        for bad: [UInt8] in [[], [0], [0, 0, 0, 1], [1, 0, 0, 0, 1, 2]] {
            #expect(throws: AvroError.self) { try ConfluentFrame.parse(bad) }
            do { _ = try ConfluentFrame.parse(bad) } catch { #expect(error.code == .invalidFrame) }
        }
    }

    @Test("parse works on slices with a non-zero start index")
    func slices() throws {
        let buffer: [UInt8] = [9, 9, 0, 0, 0, 0, 1, 0x10, 5]
        let (id, body) = try ConfluentFrame.parse(buffer[2..<8])
        #expect(id == 1 && Array(body) == [0x10])
    }
}
