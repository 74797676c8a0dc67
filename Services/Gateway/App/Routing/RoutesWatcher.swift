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
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Non-blocking read on the cooperative pool; a short sleep bounds both latency and CPU.
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                // Coalesce: editors write, rename and chmod in quick succession.
                try? await Task.sleep(for: .milliseconds(50))
                while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
                store.reload()
                continue
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
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
