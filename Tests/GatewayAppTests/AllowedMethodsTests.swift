@testable import GatewayApp
import AvroKit
import HTTPTypes
import Testing

@Suite("Methods allowed on served paths")
struct AllowedMethodsTests {
    let allowed = AllowedMethods([
        Endpoint(method: "POST", path: "/api/v1/events/{route}"),
        Endpoint(method: "POST", path: "/api/v1/events/{route}/batch"),
        Endpoint(method: "GET", path: "/api/v1/credits"),
        Endpoint(method: "GET", path: "/api/v1/media/files"),
        Endpoint(method: "POST", path: "/api/v1/media/{anything}"),
        Endpoint(method: "GET", path: "/items"),
        Endpoint(method: "DELETE", path: "/items"),
        Endpoint(method: "GET", path: "/items"),
    ])

    @Test("a served path gives its template and its methods, in registration order, each once")
    func served() {
        #expect(allowed.match("/api/v1/events/message") == .init(template: "/api/v1/events/{route}", methods: [.post]))
        #expect(allowed.match("/api/v1/events/message/batch")?.template == "/api/v1/events/{route}/batch")
        #expect(allowed.match("/items") == .init(template: "/items", methods: [.get, .head, .delete]))
        #expect(allowed.match("/items")?.allowHeader == "GET, HEAD, DELETE")
    }

    @Test("segments match as the router matches them: empty ones ignored, literals before parameters")
    func segments() {
        #expect(allowed.match("/api/v1/credits/")?.template == "/api/v1/credits")
        #expect(allowed.match("//api/v1//credits")?.template == "/api/v1/credits")
        #expect(allowed.match("/api/v1/media/files")?.template == "/api/v1/media/files")
        #expect(allowed.match("/api/v1/media/upload-intent")?.template == "/api/v1/media/{anything}")
    }

    @Test("an unknown path matches nothing")
    func unknown() {
        for path in ["/", "/api/v1/events", "/api/v1/events/a/b", "/api/v1/events/a/other", "/API/v1/credits", "/nope"] {
            #expect(allowed.match(path) == nil, "\(path)")
        }
    }

    @Test("the 405 names the method, the template and what is allowed, with an Allow header")
    func error() {
        let error = APIError.methodNotAllowed(.put, allowed.match("/items")!)
        #expect(error.status == .methodNotAllowed && error.code == "method_not_allowed")
        #expect(error.headers[.allow] == "GET, HEAD, DELETE")
        #expect(error.message == "PUT is not allowed on /items; use GET, HEAD, DELETE")
        #expect(error.details == ["allowed": ["GET", "HEAD", "DELETE"]])
    }
}
