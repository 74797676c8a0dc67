import Foundation

/// Ports for servers a test starts itself.
public enum TestPorts {
    /// A port nothing listens on, chosen below Linux's ephemeral range (32768+) so an outgoing connection of another
    /// test cannot be holding it, and checked by binding it once.
    public static func unused() -> Int {
        while true {
            let port = Int.random(in: 30_000...32_700)
            if canBind(port) { return port }
        }
    }

    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = INADDR_ANY
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
