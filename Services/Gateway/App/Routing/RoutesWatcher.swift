import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Shared

/// Reloads routes.yaml when its directory changes. The directory is watched, not the file, because editors and
/// Kubernetes ConfigMaps replace files by rename (the old inode never changes again). A burst of events is coalesced
/// into one reload. Without inotify it falls back to checking the file's modification time every second.
public struct RoutesWatcher: Service {
    private let store: RoutesStore
    private let logger: Logger

    public init(store: RoutesStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        let directory = (store.filePath as NSString).deletingLastPathComponent
        let watchedDirectory = directory.isEmpty ? "." : directory
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB)
        guard fd >= 0, inotify_add_watch(fd, watchedDirectory, mask) >= 0 else {
            if fd >= 0 { close(fd) }
            logger.warning("inotify unavailable; polling routes file", metadata: ["directory": "\(watchedDirectory)"])
            try await pollModificationTime()
            return
        }
        defer { close(fd) }
        logger.info("watching routes", metadata: ["directory": "\(watchedDirectory)"])
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Non-blocking read on the cooperative pool; a short sleep bounds both latency and CPU.
        func readEvents() -> Bool? {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return nil }
            return buffer.withUnsafeBytes { Self.announcesContent(UnsafeRawBufferPointer(rebasing: $0[..<count]), in: watchedDirectory) }
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if var reload = readEvents() {
                // Coalesce: editors write, rename and chmod in quick succession.
                try? await Task.sleep(for: .milliseconds(50))
                while let more = readEvents() { reload = reload || more }
                if reload { store.reload() }
                continue
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Whether inotify events can mean new complete content: a write closed, an entry renamed in or out, removed or
    /// its attributes changed, or a symlink created (whole at once). A regular file just created is still being
    /// written — reading it could install a table cut short — so it waits for its IN_CLOSE_WRITE.
    static func announcesContent(_ events: UnsafeRawBufferPointer, in directory: String) -> Bool {
        let headerSize = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + headerSize <= events.count {
            let mask = events.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let nameLength = Int(events.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameBytes = events[(offset + headerSize)..<min(events.count, offset + headerSize + nameLength)]
            offset += headerSize + nameLength
            if mask & UInt32(IN_CREATE) == 0 { return true }
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)")) != nil { return true }
        }
        return false
    }

    private func pollModificationTime() async throws {
        var last = modificationTime()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await Task.sleepUnlessShuttingDown(for: .seconds(1))
            let now = modificationTime()
            if now != last {
                last = now
                store.reload()
            }
        }
    }

    private func modificationTime() -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: store.filePath))?[.modificationDate] as? Date
    }
}
