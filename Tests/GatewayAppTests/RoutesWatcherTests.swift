import Foundation
import Glibc
@testable import GatewayApp
import Testing

@Suite("Routes watcher: which inotify events reload the routes")
struct RoutesWatcherTests {
    /// inotify events as the kernel lays them out: header, then the name padded with NULs.
    static func events(_ list: [(mask: Int32, name: String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (mask, name) in list {
            let padded = (name.utf8.count + 1 + 15) / 16 * 16
            var header = inotify_event()  // a flexible array member: Swift imports only the empty initializer
            header.wd = 1
            header.mask = UInt32(mask)
            header.len = UInt32(padded)
            withUnsafeBytes(of: &header) { bytes += $0 }
            bytes += Array(name.utf8) + Array(repeating: 0, count: padded - name.utf8.count)
        }
        return bytes
    }

    @Test("a file created in place waits for its write to close; a symlink, a rename, a close or a removal reload")
    func announcements() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("routes-watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = FileManager.default.createFile(atPath: "\(directory)/routes.yaml", contents: Data("webhookRoutes:\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/linked.yaml", withDestinationPath: "routes.yaml")

        func announces(_ list: [(mask: Int32, name: String)]) -> Bool {
            Self.events(list).withUnsafeBytes { RoutesWatcher.announcesContent($0, in: directory) }
        }
        #expect(!announces([(IN_CREATE, "routes.yaml")]))
        #expect(announces([(IN_CREATE, "routes.yaml"), (IN_CLOSE_WRITE, "routes.yaml")]))
        #expect(announces([(IN_CREATE, "linked.yaml")]))
        #expect(announces([(IN_MOVED_TO, "..data")]))
        #expect(announces([(IN_DELETE, "routes.yaml")]))
        #expect(announces([(IN_CLOSE_WRITE, "other.txt")]))
        #expect(!announces([]))
    }
}
