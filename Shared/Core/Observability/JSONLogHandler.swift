import Foundation
import Logging
import NIOConcurrencyHelpers

/// Writes one JSON object per line to stdout: `ts`, `level`, `logger`, `msg`, then the metadata (request and
/// correlation ids among them), so log shippers need no parsing rules.
public struct JSONLogHandler: LogHandler {
    /// The metadata, but for ``latest``.
    private var settled: Logger.Metadata = [:]
    /// The key set last, kept apart from the dictionary. Hummingbird sets one key (`hb.request.id`) on a copy of the
    /// logger for every request; kept here, that costs no dictionary copy and rehash per request.
    private var latest: (key: String, value: Logger.Metadata.Value)?
    /// Metadata of the moment (the request being served), read when a line is written.
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let label: String
    private static let outputLock = NIOLock()

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public var metadata: Logger.Metadata {
        get {
            guard let latest else { return settled }
            var all = settled
            all[latest.key] = latest.value
            return all
        }
        set {
            settled = newValue
            latest = nil
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get {
            if let latest, latest.key == key { return latest.value }
            return settled[key]
        }
        set {
            if let latest, latest.key != key { settled[latest.key] = latest.value }
            if settled[key] != nil { settled[key] = nil }
            latest = newValue.map { (key, $0) }
        }
    }

    public func log(event: LogEvent) {
        var line = "{\"ts\":\""
        line += Self.timestamp()
        line += "\",\"level\":\"\(event.level.rawValue)\",\"logger\":"
        line += Self.quoted(label)
        line += ",\"msg\":"
        line += Self.quoted(event.message.description)
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += ","
            line += Self.quoted(key)
            line += ":"
            line += Self.quoted(value.description)
        }
        if event.level >= .error {
            line += ",\"source\":\(Self.quoted("\(event.file):\(event.line)"))"
        }
        line += "}\n"
        Self.outputLock.withLock {
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
