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
