import Foundation
import Logging
@testable import Shared
import Testing

@Suite("Observability helpers")
struct ObservabilityTests {
    @Test("readiness reports each check and fails while draining")
    func readiness() async {
        let health = HealthChecks()
        health.add("ok") {}
        health.add("broken") { throw CancellationError() }
        var report = await health.evaluate()
        #expect(!report.ready)
        #expect(report.results.map(\.name) == ["ok", "broken"])
        #expect(report.results[0].error == nil)

        let healthy = HealthChecks()
        healthy.add("ok") {}
        report = await healthy.evaluate()
        #expect(report.ready)
        healthy.startDraining()
        report = await healthy.evaluate()
        #expect(!report.ready)
    }

    @Test("a slow check times out instead of hanging readiness")
    func slowCheck() async {
        let health = HealthChecks()
        health.add("slow") { try await Task.sleep(for: .seconds(600)) }
        let started = ContinuousClock.now
        let report = await health.evaluate(timeout: .milliseconds(200))
        #expect(!report.ready)
        // Far below the check's 600 s, with room for a test run that keeps both cores busy (CI once took 6.5 s).
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("JSON log values are escaped")
    func quoting() throws {
        let quoted = JSONLogHandler.quoted("a\"b\\c\nd\u{01}é")
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        #expect(decoded == ["a\"b\\c\nd\u{01}é"])
    }

    @Test("log handler metadata behaves as one dictionary, whichever key was set last")
    func handlerMetadata() {
        var handler = JSONLogHandler(label: "test", level: .info)
        var model: Logger.Metadata = [:]
        var generator = SystemRandomNumberGenerator()
        let keys = ["service", "hb.request.id", "a", "b"]
        for step in 0..<500 {
            let key = keys.randomElement(using: &generator)!
            switch Int.random(in: 0..<5, using: &generator) {
            case 0:
                handler[metadataKey: key] = nil
                model[key] = nil
            case 1:
                let replacement: Logger.Metadata = ["a": "\(step)"]
                handler.metadata = replacement
                model = replacement
            default:
                handler[metadataKey: key] = "\(step)"
                model[key] = "\(step)"
            }
            // A copy (a logger with one more key) leaves the original alone.
            var copy = handler
            copy[metadataKey: "copy-only"] = "x"
            #expect(handler.metadata == model)
            #expect(keys.allSatisfy { handler[metadataKey: $0] == model[$0] })
            #expect(copy.metadata.count == model.count + 1)
        }
    }

    @Test("the request scope names the request in log metadata while it is served, in child tasks too")
    func requestScope() async {
        #expect(RequestScope.metadataProvider.get().isEmpty)
        await RequestScope.$requestID.withValue("req-42") {
            #expect(RequestScope.metadataProvider.get()["request_id"] == "req-42")
            let inChild = await Task { RequestScope.metadataProvider.get()["request_id"] }.value
            #expect(inChild == "req-42")
        }
        #expect(RequestScope.metadataProvider.get()["request_id"] == nil)
    }
}
