import AvroKit
import Foundation
import HTTPTypes
import Hummingbird

/// Keyset pagination by id: `?after=<id>&limit=<n>` (limit 1…500, default 50).
struct Pagination: Sendable {
    var after: Int64
    var limit: Int

    init(_ request: Request, defaultLimit: Int = 50, maximum: Int = 500) throws {
        let query = request.uri.queryParameters
        after = 0
        if let text = query["after"] {
            guard let value = Int64(text), value >= 0 else {
                throw APIError.badRequest("invalid_query", "after must be a non-negative integer id")
            }
            after = value
        }
        limit = defaultLimit
        if let text = query["limit"] {
            guard let value = Int(text), (1...maximum).contains(value) else {
                throw APIError.badRequest("invalid_query", "limit must be between 1 and \(maximum)")
            }
            limit = value
        }
    }

    /// `{"<name>": [...], "next_after": <last id or null>}`; `next_after` is null when the page was not full.
    func envelope(_ name: String, _ items: [JSONValue]) -> JSONValue {
        var object = JSONObject()
        object[name] = .array(items)
        if items.count == limit, case .object(let last)? = items.last, let id = last["id"] {
            object["next_after"] = id
        } else {
            object["next_after"] = .null
        }
        return .object(object)
    }
}
