/// Splits a SQL script into statements at top-level semicolons.
///
/// The Postgres extended protocol (all postgres-nio speaks) takes one statement per query, so migration files are
/// split here. Semicolons inside string literals, quoted identifiers, dollar-quoted bodies (`$$ … $$`,
/// `$tag$ … $tag$`) and comments do not split.
public enum SQLScript {
    public static func statements(_ script: String) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let text = String(current).trimmingWhitespace()
            if !text.isEmpty, !isOnlyComments(text) { statements.append(text) }
            current = String.UnicodeScalarView()
        }

        while index < chars.count {
            let c = chars[index]
            let next: Unicode.Scalar? = index + 1 < chars.count ? chars[index + 1] : nil
            switch c {
            case "'", "\"":
                // Quoted literal or identifier; a doubled quote is an escaped quote.
                current.append(c)
                index += 1
                while index < chars.count {
                    current.append(chars[index])
                    if chars[index] == c {
                        if index + 1 < chars.count, chars[index + 1] == c {
                            current.append(chars[index + 1])
                            index += 2
                            continue
                        }
                        break
                    }
                    index += 1
                }
                index += 1
            case "-" where next == "-":
                while index < chars.count, chars[index] != "\n" {
                    current.append(chars[index])
                    index += 1
                }
            case "/" where next == "*":
                while index < chars.count {
                    current.append(chars[index])
                    if chars[index] == "*", index + 1 < chars.count, chars[index + 1] == "/" {
                        current.append("/")
                        index += 2
                        break
                    }
                    index += 1
                }
            case "$":
                if let tag = dollarTag(chars, at: index) {
                    // Copy through the matching closing tag.
                    current.append(contentsOf: tag)
                    index += tag.count
                    while index < chars.count {
                        if chars[index] == "$", Array(chars[index..<min(chars.count, index + tag.count)]) == tag {
                            current.append(contentsOf: tag)
                            index += tag.count
                            break
                        }
                        current.append(chars[index])
                        index += 1
                    }
                } else {
                    current.append(c)
                    index += 1
                }
            case ";":
                flush()
                index += 1
            default:
                current.append(c)
                index += 1
            }
        }
        flush()
        return statements
    }

    /// `$tag$` (tag: letters, digits, underscores, not starting with a digit) or `$$` at `index`.
    private static func dollarTag(_ chars: [Unicode.Scalar], at index: Int) -> [Unicode.Scalar]? {
        var end = index + 1
        while end < chars.count, chars[end] != "$" {
            let scalar = chars[end]
            let isIdentifier = scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            if !isIdentifier || (end == index + 1 && ("0"..."9").contains(scalar)) { return nil }
            end += 1
        }
        guard end < chars.count else { return nil }
        return Array(chars[index...end])
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingWhitespace().isEmpty || $0.trimmingWhitespace().hasPrefix("--") }
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
