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
        let contentType = request.headers.value(of: .contentType)?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/") && contentType.contains("+json")
        else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                message: "send the body as application/json (got \(contentType.isEmpty ? "no content type" : contentType))")
        }
        if let declared = request.headers.value(of: .contentLength).flatMap(Int.init), declared > limit {
            throw bodyTooLarge(limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw bodyTooLarge(limit)
        }
        return Array(buffer.readableBytesView)
    }

    /// Parses JSON text; 400 naming the offset where it stops being JSON.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(APIError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw APIError.badRequest(
                "malformed_json", "the body is not valid JSON: \(error.reason)", details: ["offset": .int(Int64(error.offset))])
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
        // Room for the fields added on the way out (request id, CORS) without growing the storage again.
        headers.reserveCapacity(headers.count + 4)
        if !headers.contains(.contentType) { headers.append(jsonContentType) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static let jsonContentType = HTTPField(name: .contentType, value: "application/json")
}
