@testable import GatewayApp
import Testing

@Suite("Ingest paths recognised without the router")
struct IngestFastPathTests {
    @Test("single and batch paths give their route key; any other shape is left to the router")
    func match() {
        #expect(IngestFastPath.match("/api/v1/events/message")! == ("message", false))
        #expect(IngestFastPath.match("/api/v1/events/message/batch")! == ("message", true))
        // A route may be called "batch"; only the segment after it makes a batch.
        #expect(IngestFastPath.match("/api/v1/events/batch")! == ("batch", false))
        #expect(IngestFastPath.match("/api/v1/events/batch/batch")! == ("batch", true))
        #expect(IngestFastPath.match("/api/v1/events/%C3%A9t%C3%A9")! == ("%C3%A9t%C3%A9", false))
        for path in [
            "/api/v1/events/", "/api/v1/events", "/api/v1/events//batch", "/api/v1/events/message/",
            "/api/v1/events/message/batch/", "/api/v1/events/message/other", "/api/v1/events/a/b/batch",
            "/api/v1/eventsmessage", "/API/v1/events/message", "/webhooks/login", "/",
        ] {
            #expect(IngestFastPath.match(path) == nil, "\(path)")
        }
    }
}
