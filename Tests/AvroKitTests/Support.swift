import AvroKit
import Foundation

/// Shared helpers for the AvroKit tests.
enum Fixtures {
    /// The repository root, found from this file's path (Tests/AvroKitTests/Support.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `.avsc` under `avro/` as (topic, schema JSON text), sorted by topic.
    static func repoSchemas() throws -> [(topic: String, json: String)] {
        let avroDir = repoRoot.appendingPathComponent("avro").resolvingSymlinksInPath()
        guard let enumerator = FileManager.default.enumerator(at: avroDir, includingPropertiesForKeys: nil) else {
            return []
        }
        var result: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "avsc" {
            let relative = url.path.dropFirst(avroDir.path.count + 1).dropLast(".avsc".count)
            let topic = relative.replacingOccurrences(of: "/", with: ".")
            result.append((topic, try String(contentsOf: url, encoding: .utf8)))
        }
        return result.sorted { $0.0 < $1.0 }
    }
}

/// Deterministic SplitMix64, so failures reproduce.
struct SeededRNG: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element == UInt8 {
    init(hex: String) {
        var bytes: [UInt8] = []
        let chars = [Character](hex.filter { !$0.isWhitespace })
        for i in stride(from: 0, to: chars.count - 1, by: 2) {
            bytes.append(UInt8(String(chars[i..<i + 2]), radix: 16) ?? 0)
        }
        self = bytes
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

/// The first place two JSON values differ, for readable test failures.
func firstDifference(_ a: JSONValue, _ b: JSONValue, path: String = "$") -> String? {
    switch (a, b) {
    case (.object(let x), .object(let y)):
        for key in Set(x.keys).union(y.keys).sorted() {
            guard let xv = x[key], let yv = y[key] else { return "\(path).\(key): present on one side only" }
            if let d = firstDifference(xv, yv, path: "\(path).\(key)") { return d }
        }
        return nil
    case (.array(let x), .array(let y)):
        guard x.count == y.count else { return "\(path): \(x.count) vs \(y.count) elements" }
        for i in x.indices {
            if let d = firstDifference(x[i], y[i], path: "\(path)[\(i)]") { return d }
        }
        return nil
    default:
        return a == b ? nil : "\(path): \(a) vs \(b)"
    }
}
