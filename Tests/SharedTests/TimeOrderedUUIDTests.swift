import Foundation
import Shared
import Testing

@Suite("Time-ordered UUIDs and their text form")
struct TimeOrderedUUIDTests {
    @Test("version 7, RFC variant, the current time in front, and unique")
    func layout() {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let ids = (0..<1_000).map { _ in UUID.timeOrdered() }
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7)
            #expect(bytes[8] >> 6 == 0b10)
            let millis = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(millis >= before && millis <= after)
        }
    }

    @Test("lowercasedString is Foundation's uuidString, lowercased")
    func text() {
        for id in [UUID(), UUID.timeOrdered(), UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))] {
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
    }
}
