import Foundation

/// A broker of the test's own (the stack's Tansu binary on another port), which a test may stop and start without
/// disturbing the shared test stack. Memory storage: topics are gone after a restart.
public final class PrivateBroker: @unchecked Sendable {
    // @unchecked: `process` is only touched by the owning test, sequentially.
    public let port: Int
    private var process: Process?

    public init(port: Int = TestPorts.unused()) {
        self.port = port
    }

    public var bootstrap: String { "127.0.0.1:\(port)" }

    public static var binary: String? {
        guard let path = ProcessInfo.processInfo.environment["TANSU_BIN"], !path.isEmpty else { return nil }
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    public func start() async throws {
        guard let binary = Self.binary else { throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "TANSU_BIN is not set (run through scripts/test)"]) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "broker", "--cluster-id", "private-\(port)", "--storage-engine", "memory://tansu/",
            "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["SCHEMA_REGISTRY"] = nil
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = nil
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if Self.portOpen(port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "private broker did not start"])
    }

    /// Kills the broker at once (like a crash or a network cut).
    public func stop() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }

    static func portOpen(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
