import HTTPTypes

extension HTTPFields {
    /// The field's value, as `self[name]` gives it, without `self[name]`'s generic join of repeated fields when the
    /// field occurs once — the usual case, on every request's hot path.
    func value(of name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }
            found = field.value
        }
        return found
    }
}

extension StringProtocol {
    /// Whether the text starts with `prefix` (given in lower case) in any ASCII case, as header values such as
    /// `Bearer …` and `Application/JSON` are compared, without a lower-cased copy.
    func hasPrefix(caseInsensitive prefix: String) -> Bool {
        utf8.count >= prefix.utf8.count
            && zip(utf8, prefix.utf8).allSatisfy { byte, expected in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 == expected : byte == expected
            }
    }
}
