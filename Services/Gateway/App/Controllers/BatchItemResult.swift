import AvroKit

/// One event's line in a batch answer. Accepted ones (nearly all, in a healthy batch) are written straight to bytes
/// rather than built as JSON values first: hundreds per request.
enum BatchItemResult {
    case accepted(EventIngestor.Accepted, index: Int)
    case rejected(JSONValue)

    /// `{"accepted": n, "rejected": m, "results": [...]}`; an accepted item is the single-event answer plus its
    /// `index` and `status`.
    static func responseBody(_ results: [BatchItemResult], accepted: Int) -> [UInt8] {
        var out = Array(#"{"accepted":\#(accepted),"rejected":\#(results.count - accepted),"results":["#.utf8)
        out.reserveCapacity(out.count + results.count * 128)
        for (position, result) in results.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            switch result {
            case .accepted(let accepted, let index):
                accepted.write(to: &out, batchIndex: index)
            case .rejected(let item):
                out += item.jsonBytes()
            }
        }
        out += Array("]}".utf8)
        return out
    }
}
