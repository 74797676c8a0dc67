import AvroKit
import Foundation
@testable import MediaServiceApp
import Testing

@Suite("MinIO notification bodies")
struct MinIONotificationTests {
    @Test("created objects are read with their facts; a size that is no whole number of bytes skips the record")
    func objects() throws {
        let body = try JSONValue.parse(MediaTests.minioEvent(key: "uploads/u/r/pic 1.png", size: 3, etag: "abc"))
        let objects = MinIONotification.objects(in: body)
        #expect(objects.count == 1)
        #expect(objects.first?.key == "uploads/u/r/pic 1.png" && objects.first?.size == 3 && objects.first?.etag == "abc")
        for size in ["1e19", "1.5", "-1e300"] {
            let hostile = try JSONValue.parse(
                MediaTests.minioEvent(key: "uploads/u/r/a.png", size: 0, etag: "e")
                    .replacingOccurrences(of: #""size":0"#, with: #""size":\#(size)"#))
            #expect(MinIONotification.objects(in: hostile).isEmpty, "size \(size)")
        }
    }
}
