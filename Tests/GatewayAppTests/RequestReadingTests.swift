@testable import GatewayApp
import Testing

@Suite("JSON content types")
struct RequestReadingTests {
    @Test("application/json and application/*+json in any case, with parameters; nothing else")
    func jsonContentTypes() {
        for type in [
            "application/json", "Application/JSON; charset=utf-8", "application/json;charset=UTF-8",
            "application/vnd.api+json", "APPLICATION/PROBLEM+JSON",
        ] {
            #expect(RequestReading.isJSON(type), "\(type)")
        }
        for type in ["", "text/plain", "text/json", "application/xml", "application/jso", "json", "multipart/form-data+json"] {
            #expect(!RequestReading.isJSON(type), "\(type)")
        }
    }
}
