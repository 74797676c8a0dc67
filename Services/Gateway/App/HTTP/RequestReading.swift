import AvroKit
import HTTPTypes
import Hummingbird
import NIOCore

/// Body and header handling shared by the write endpoints.
enum RequestReading {
    /// Reads and parses a JSON body: 415 unless the content type is JSON, 413 over `limit` bytes, 400 if it does not
    /// parse.
    static func jsonBody(_ request: Request, limit: Int) async throws -> (bytes: [UInt8], value: JSONValue) {
        let bytes = try await body(request, limit: limit)
        return (bytes, try parse(bytes[...]))
    }

    /// Reads a body declared as JSON, unparsed: 415 unless the content type is JSON, 413 over `limit` bytes.
    static func body(_ request: Request, limit: Int) async throws -> [UInt8] {
        let contentType = request.headers.value(of: .contentType) ?? ""
        guard isJSON(contentType) else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the body as application/json (got \(contentType.isEmpty ? "no content type" : contentType))")
        }
        let declared = request.headers.value(of: .contentLength).flatMap(Int.init)
        if let declared, declared > limit { throw bodyTooLarge(limit) }
        // Straight into one array sized by Content-Length: a body that arrives in several reads is neither grown
        // step by step in a buffer nor copied out of it again.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(declared ?? 0, limit))
        for try await chunk in request.body {
            guard chunk.readableBytes <= limit - bytes.count else { throw bodyTooLarge(limit) }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }

    /// `application/json` or `application/<anything>+json`, in any case, parameters allowed.
    static func isJSON(_ contentType: String) -> Bool {
        if contentType.hasPrefix(caseInsensitive: "application/json") { return true }
        let lowered = contentType.lowercased()
        return lowered.hasPrefix("application/") && lowered.contains("+json")
    }

    /// Parses JSON text; 400 naming the offset where it stops being JSON.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(APIError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw APIError.badRequest(
                "malformed_json", "the body cannot be read as JSON: \(error.reason)", details: ["offset": .int(Int64(error.offset))])
        }
    }

    static func bodyTooLarge(_ limit: Int) -> APIError {
        APIError(
            .contentTooLarge, code: "body_too_large", message: "the body exceeds \(limit) bytes",
            details: ["limit_bytes": .int(Int64(limit))])
    }

    /// A JSON response.
    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        json(status, bytes: value.jsonBytes(), headers: headers)
    }

    /// A JSON response whose body is already serialized.
    static func json(_ status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var headers = headers
        // Room for the fields added on the way out (rate limit, request id, CORS) without growing the storage again.
        headers.reserveCapacity(headers.count + 8)
        if !headers.contains(.contentType) { headers.append(jsonContentType) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static let jsonContentType = HTTPField(name: .contentType, value: "application/json")
}
