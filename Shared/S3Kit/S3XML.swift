import Foundation

/// Just enough XML for S3's responses (flat, known elements): the text of elements by name, and repeated blocks.
enum S3XML {
    /// The text of every `<name>…</name>` in `xml`, entity-decoded.
    static func values(_ name: String, in xml: Substring) -> [String] {
        blocks(name, in: xml).map { unescape(String($0)) }
    }

    static func value(_ name: String, in xml: Substring) -> String? { values(name, in: xml).first }

    /// The inner XML of every `<name>…</name>` (or `<name attr="…">…</name>`).
    static func blocks(_ name: String, in xml: Substring) -> [Substring] {
        var found: [Substring] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)") {
            let afterName = rest[open.upperBound...]
            guard let first = afterName.first, first == ">" || first == " " else {
                rest = afterName
                continue
            }
            guard let tagEnd = afterName.firstIndex(of: ">") else { break }
            if tagEnd > afterName.startIndex, afterName[afterName.index(before: tagEnd)] == "/" {  // <name/>
                found.append(afterName[tagEnd..<tagEnd])
                rest = afterName[afterName.index(after: tagEnd)...]
                continue
            }
            let contentStart = afterName.index(after: tagEnd)
            guard let close = afterName[contentStart...].range(of: "</\(name)>") else { break }
            found.append(afterName[contentStart..<close.lowerBound])
            rest = afterName[close.upperBound...]
        }
        return found
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&#39;", "'"), ("&#34;", "\""), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out
    }
}
