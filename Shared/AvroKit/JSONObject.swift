/// An insertion-ordered JSON object with unique keys.
///
/// Stored as two parallel arrays: Avro records and API payloads have a handful of members, where
/// a linear scan over contiguous `String`s beats hashing. Keys are unique: the parser rejects
/// duplicates and the setter replaces an existing member in place.
/// Equality ignores member order, as JSON object semantics do.
public struct JSONObject: Sendable {
    /// Member names in insertion order.
    public private(set) var keys: [String]
    /// Member values, parallel to ``keys``.
    public private(set) var values: [JSONValue]

    /// An empty object.
    public init() {
        keys = []
        values = []
    }

    /// Builds an object from pairs; a later pair with the same key replaces the earlier value.
    public init(_ pairs: some Sequence<(String, JSONValue)>) {
        self.init()
        for (k, v) in pairs { self[k] = v }
    }

    /// Trusted construction from already-unique keys (parser, decoder).
    init(uniqueKeys keys: [String], values: [JSONValue]) {
        self.keys = keys
        self.values = values
    }

    /// Number of members.
    public var count: Int { keys.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// Members in insertion order.
    public var members: some Sequence<(key: String, value: JSONValue)> {
        zip(keys, values).lazy.map { (key: $0, value: $1) }
    }

    /// Index of `key` in ``keys``, if present.
    @inlinable
    public func index(forKey key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    /// Gets, replaces, appends or (with `nil`) removes a member.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = index(forKey: key) else { return nil }
            return values[i]
        }
        set {
            if let i = index(forKey: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        for (i, key) in lhs.keys.enumerated() {
            guard let j = rhs.index(forKey: key), lhs.values[i] == rhs.values[j] else { return false }
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}

/// Detects duplicate keys while an object or map is being built: linear over the few keys
/// seen so far, switching to a hash set once the object grows, so hostile input with many
/// keys stays O(n).
struct DuplicateKeyDetector {
    private var set: Set<String>?
    private static let linearLimit = 16

    /// Returns `false` if `key` is already in `existing` (the keys inserted so far).
    mutating func isNew(_ key: String, existing: [String]) -> Bool {
        if set == nil {
            if existing.count < Self.linearLimit { return !existing.contains(key) }
            set = Set(existing)
        }
        return set?.insert(key).inserted ?? true
    }
}
