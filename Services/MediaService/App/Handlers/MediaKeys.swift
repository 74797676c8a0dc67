import Foundation

/// The object key layout: `uploads/<user>/<request_id>/<file name>` while staged, `files/<user>/<request_id>/<file
/// name>` once permanent. The saga joins on these paths; the user and request can be read back from them.
enum MediaKeys {
    static let stagingPrefix = "uploads/"
    static let permanentPrefix = "files/"

    static func staging(user: String, request: String, fileName: String) -> String {
        "\(stagingPrefix)\(user)/\(request)/\(sanitize(fileName))"
    }

    /// The permanent key for a staging key (same user, request and name).
    static func permanent(forStaging key: String) -> String? {
        guard let parts = parse(key, prefix: stagingPrefix) else { return nil }
        return "\(permanentPrefix)\(parts.user)/\(parts.request)/\(parts.fileName)"
    }

    /// (user, request, file name) of a staging or permanent key.
    static func parse(_ key: String, prefix: String) -> (user: String, request: String, fileName: String)? {
        guard key.hasPrefix(prefix) else { return nil }
        let parts = key.dropFirst(prefix.count).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]), String(parts[2]))
    }

    /// A file name safe as one key segment: no path separators or control characters, no leading dots, at most 200
    /// characters; never empty.
    static func sanitize(_ name: String) -> String {
        var cleaned = String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            scalar == "/" || scalar == "\\" || scalar.properties.generalCategory == .control ? "_" : scalar
        }))
        cleaned = cleaned.trimmingCharacters(in: .whitespaces)
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        if cleaned.count > 200 { cleaned = String(cleaned.suffix(200)) }
        return cleaned.isEmpty ? "file" : cleaned
    }
}
