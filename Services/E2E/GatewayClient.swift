import AsyncHTTPClient
import AvroKit
import Foundation
import NIOCore
import NIOHTTP1

/// A reply as the journeys need it: status, raw body, and the body as JSON when it is JSON.
struct HTTPReply: Sendable {
    var status: Int
    var body: [UInt8]

    var json: JSONValue { (try? JSONValue.parse(String(decoding: body, as: UTF8.self))) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// The calls a browser and a Postgres trigger make to the gateway, and the direct object-store calls a browser
/// makes with presigned URLs. Nothing here reads the database: what the journeys observe, a client could observe.
struct GatewayClient: Sendable {
    let baseURL: String
    let webhookSecret: String
    let http: HTTPClient
    let timeout: TimeAmount = .seconds(30)

    func post(_ path: String, json: JSONValue, token: String) async throws -> HTTPReply {
        try await send(
            .POST, baseURL + path, body: Array(json.jsonString().utf8),
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"])
    }

    func get(_ path: String, token: String) async throws -> HTTPReply {
        try await send(.GET, baseURL + path, headers: ["Authorization": "Bearer \(token)"])
    }

    /// What the `pg_net` triggers send: `POST /webhooks/<route>` with the shared secret.
    func webhook(_ route: String, json: JSONValue) async throws -> HTTPReply {
        try await send(
            .POST, baseURL + "/webhooks/" + route, body: Array(json.jsonString().utf8),
            headers: ["X-Webhook-Secret": webhookSecret, "Content-Type": "application/json"])
    }

    /// A presigned URL used as it was handed out (the host is part of the signature).
    func put(presigned url: String, bytes: [UInt8], contentType: String) async throws -> HTTPReply {
        try await send(.PUT, url, body: bytes, headers: ["Content-Type": contentType])
    }

    func get(presigned url: String) async throws -> HTTPReply {
        try await send(.GET, url)
    }

    /// Opens a streaming GET (the SSE stream); the caller reads the body.
    func stream(_ path: String, token: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        return try await http.execute(request, deadline: .distantFuture)
    }

    private func send(
        _ method: HTTPMethod, _ url: String, body: [UInt8]? = nil, headers: KeyValuePairs<String, String> = [:]
    ) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return HTTPReply(status: Int(response.status.code), body: Array(buffer: bytes))
    }
}
