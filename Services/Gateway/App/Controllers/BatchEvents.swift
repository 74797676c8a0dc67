import AvroKit

/// The events of a batch body: a JSON array of events, or `{"events": [...]}`.
///
/// A plain array is only split into each event's text (no values built), so each event can be transcoded straight
/// to Avro; other shapes are parsed.
enum BatchEvents {
    /// The body and the byte range of each event in it.
    case text([UInt8], [Range<Int>])
    /// Events already parsed.
    case parsed([JSONValue])

    /// - Throws: `APIError` 400 when the body is not JSON, or neither shape.
    init(_ body: [UInt8]) throws(APIError) {
        if let ranges = body.withUnsafeBufferPointer({ JSONValue.arrayElementRanges($0) }) {
            self = .text(body, ranges)
            return
        }
        switch try RequestReading.parse(body[...]) {
        case .array(let items):
            self = .parsed(items)
        case .object(let object) where object["events"]?.arrayValue != nil:
            self = .parsed(object["events"]?.arrayValue ?? [])
        default:
            throw APIError.badRequest("invalid_body", "send a JSON array of events, or {\"events\": [...]}")
        }
    }

    var count: Int {
        switch self {
        case .text(_, let ranges): ranges.count
        case .parsed(let values): values.count
        }
    }

    var isEmpty: Bool { count == 0 }

    /// The size in bytes of the event at `index` as a body of its own (its text, or its compact serialization).
    func size(at index: Int) -> Int {
        switch self {
        case .text(_, let ranges): ranges[index].count
        case .parsed(let values): values[index].jsonBytes().count
        }
    }
}
