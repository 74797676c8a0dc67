import AvroKit
import Foundation
@testable import GatewayApp
import Shared
import Testing

@Suite("Accepted answers written straight to bytes")
struct AcceptedResponseTests {
    let accepted = EventIngestor.Accepted(
        eventID: UUID.timeOrdered(), topic: "events.message_v2", partition: 7, offset: 9_007_199_254_740_993)

    @Test("the single-event answer is the same JSON as the value form")
    func single() throws {
        #expect(try JSONValue.parse(accepted.jsonBytes) == accepted.json)
        for offset: Int64 in [0, 9, 10, 1_234_567, .max] {
            var other = accepted
            other.offset = offset
            #expect(try JSONValue.parse(other.jsonBytes)["offset"] == .int(offset))
        }
    }

    @Test("a batch answer: accepted items carry index and status, rejected ones their error, in order")
    func batch() throws {
        let rejected: JSONValue = ["index": 1, "status": 422, "error": ["code": "schema_violation"]]
        let body = BatchItemResult.responseBody(
            [.accepted(accepted, index: 0), .rejected(rejected), .accepted(accepted, index: 2)], accepted: 2)
        let parsed = try JSONValue.parse(body)
        #expect(parsed["accepted"] == 2 && parsed["rejected"] == 1)
        let results = parsed["results"]?.arrayValue ?? []
        #expect(results.count == 3)
        #expect(results[0]["index"] == 0 && results[0]["status"] == 202 && results[0]["topic"] == "events.message_v2")
        #expect(results[0]["event_id"] == .string(accepted.eventID.lowercasedString))
        #expect(results[1] == rejected)
        #expect(results[2]["index"] == 2)
    }
}
