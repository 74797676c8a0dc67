/// Incremental parser for a `text/event-stream` body (the WHATWG event-stream format): feed it bytes as they
/// arrive, take complete events out. Comments (heartbeats) and `retry:` lines are consumed and ignored.
struct ServerSentEventParser {
    struct Event: Sendable, Equatable {
        var id: String?
        var event: String
        var data: String
    }

    private var pending: [UInt8] = []

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        while let end = Self.blockEnd(in: pending) {
            let block = String(decoding: pending[..<end.start], as: UTF8.self)
            pending.removeSubrange(..<end.next)
            if let event = Self.event(from: block) { events.append(event) }
        }
        return events
    }

    /// The first blank line (`\n\n` or `\r\n\r\n`): where the block ends and where the next one starts.
    private static func blockEnd(in bytes: [UInt8]) -> (start: Int, next: Int)? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A, bytes[index + 1] == 0x0A { return (index, index + 2) }
            if index + 3 < bytes.count, bytes[index] == 0x0D, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x0D,
                bytes[index + 3] == 0x0A
            {
                return (index, index + 4)
            }
            index += 1
        }
        return nil
    }

    private static func event(from block: String) -> Event? {
        var id: String?
        var name = "message"
        var data: [Substring] = []
        for line in block.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if line.hasPrefix(":") { continue }
            let field: Substring
            var value: Substring
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                value = line[line.index(after: colon)...]
                if value.first == " " { value = value.dropFirst() }
            } else {
                field = line
                value = ""
            }
            switch field {
            case "id": id = String(value)
            case "event": name = String(value)
            case "data": data.append(value)
            default: continue
            }
        }
        guard !data.isEmpty else { return nil }
        return Event(id: id, event: name, data: data.joined(separator: "\n"))
    }
}
