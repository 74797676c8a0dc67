import ArgumentParser
import Hummingbird
import Logging

/// The gateway benchmark's ceiling: a bare Hummingbird endpoint that reads the body and answers 202, with none of
/// the gateway's work (no auth, no routing table, no Avro, no Redis, no broker).
struct CeilingServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ceiling-server", abstract: "Serve POST /ingest → 202.")

    @Option(help: "Port on 127.0.0.1.")
    var port = 8181

    func run() async throws {
        var logger = Logger(label: "bench-ceiling")
        logger.logLevel = .warning
        let router = Router()
        router.post("/ingest") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(
                status: .accepted, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"received":\#(body.readableBytes)}"#)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}
