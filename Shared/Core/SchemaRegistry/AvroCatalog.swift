import Foundation

/// The schemas shipped in `avro/`: one `.avsc` per topic, the path below `avro/` naming the topic
/// (`avro/public/user/message.events.avsc` → `public.user.message.events`).
public struct AvroCatalog: Sendable {
    public struct Entry: Sendable {
        public var topic: String
        public var schemaJSON: String
        public var subject: String { valueSubject(forTopic: topic) }
    }

    public let entries: [Entry]

    public init(directory: String) throws {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: directory])
        }
        var entries: [Entry] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".avsc") else { continue }
            let topic = String(relative.dropLast(".avsc".count)).replacingOccurrences(of: "/", with: ".")
            let json = try String(contentsOfFile: "\(directory)/\(relative)", encoding: .utf8)
            entries.append(Entry(topic: topic, schemaJSON: json))
        }
        self.entries = entries.sorted { $0.topic < $1.topic }
    }

    public var topics: [String] { entries.map(\.topic) }
}
