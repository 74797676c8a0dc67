import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An object's metadata as the store reports it.
public struct S3ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var contentType: String?
    public var etag: String?

    public init(key: String, size: Int64, contentType: String?, etag: String?) {
        self.key = key
        self.size = size
        self.contentType = contentType
        self.etag = etag
    }
}

/// One page of a listing.
public struct S3ListPage: Sendable {
    public var objects: [S3ObjectInfo]
    /// Pass to the next call; nil when this was the last page.
    public var continuationToken: String?
}

/// The S3 calls the platform makes, signed with SigV4, on AsyncHTTPClient. Works against AWS (virtual-host style)
/// and MinIO or emulators (path style, custom endpoint and region).
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    let http: HTTPClient
    let signer: SigV4Signer
    let timeout: TimeAmount

    public init(configuration: S3Configuration, httpClient: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.configuration = configuration
        self.http = httpClient
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.timeout = timeout
    }

    /// A presigned URL on the public endpoint (see ``S3Presigner``).
    public func presignedURL(
        method: String, key: String, expires: Int, contentType: String? = nil, contentLength: Int64? = nil,
        at date: Date = Date()
    ) -> String {
        S3Presigner(configuration: configuration).url(
            method: method, key: key, expires: expires, contentType: contentType, contentLength: contentLength, at: date)
    }

    // MARK: - Objects

    public func putObject(key: String, body: [UInt8], contentType: String) async throws {
        _ = try await send("PUT", key: key, headers: [("content-type", contentType)], body: body)
    }

    /// The object's metadata, or nil when it does not exist.
    public func headObject(key: String) async throws -> S3ObjectInfo? {
        do {
            let response = try await send("HEAD", key: key)
            return S3ObjectInfo(
                key: key, size: Int64(response.headers.first(name: "content-length") ?? "") ?? 0,
                contentType: response.headers.first(name: "content-type"), etag: response.headers.first(name: "etag").map(Self.unquoted))
        } catch let error as S3Error where error.isNotFound {
            return nil
        }
    }

    public func getObject(key: String) async throws -> [UInt8] {
        try await send("GET", key: key).body
    }

    /// Server-side copy within the bucket (metadata and content type are kept).
    public func copyObject(from source: String, to destination: String) async throws {
        let copySource = "/\(configuration.bucket)/\(source)"
        let response = try await send(
            "PUT", key: destination, headers: [("x-amz-copy-source", SigV4Signer.encode(copySource, keepSlash: true))])
        // A copy can fail after a 200 status line; the body then carries the error.
        let text = String(decoding: response.body, as: UTF8.self)
        if text.contains("<Error>") { throw Self.error(status: 500, body: text[...]) }
    }

    /// Deletes the object; deleting a missing object succeeds (S3 semantics).
    public func deleteObject(key: String) async throws {
        _ = try await send("DELETE", key: key)
    }

    /// One page of `ListObjectsV2` under `prefix`, in key order.
    public func listObjects(prefix: String, continuationToken: String? = nil, startAfter: String? = nil, maxKeys: Int = 1000)
        async throws -> S3ListPage
    {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        let response = try await send("GET", key: nil, query: query)
        let xml = String(decoding: response.body, as: UTF8.self)[...]
        let objects = S3XML.blocks("Contents", in: xml).compactMap { block -> S3ObjectInfo? in
            guard let key = S3XML.value("Key", in: block) else { return nil }
            return S3ObjectInfo(
                key: key, size: Int64(S3XML.value("Size", in: block) ?? "") ?? 0, contentType: nil,
                etag: S3XML.value("ETag", in: block).map(Self.unquoted))
        }
        let truncated = S3XML.value("IsTruncated", in: xml) == "true"
        return S3ListPage(objects: objects, continuationToken: truncated ? S3XML.value("NextContinuationToken", in: xml) : nil)
    }

    /// Every object under `prefix` (all pages).
    public func listAllObjects(prefix: String, startAfter: String? = nil) async throws -> [S3ObjectInfo] {
        var all: [S3ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await listObjects(prefix: prefix, continuationToken: token, startAfter: token == nil ? startAfter : nil)
            all += page.objects
            token = page.continuationToken
        } while token != nil
        return all
    }

    // MARK: - Transport

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    func send(
        _ method: String, key: String?, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        body: [UInt8] = []
    ) async throws -> Response {
        let (scheme, host, path) = configuration.address(of: key, on: configuration.endpoint)
        let date = Date()
        let payloadHash = SigV4Signer.sha256Hex(body)
        var headers = [("host", host), ("x-amz-date", SigV4Signer.amzDate(date)), ("x-amz-content-sha256", payloadHash)]
        headers += extra
        if let token = configuration.credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        let signature = signer.sign(
            .init(method: method, path: path, query: query, headers: headers, payloadHash: payloadHash), at: date)
        let queryString = SigV4Signer.canonicalQuery(query)
        var request = HTTPClientRequest(
            url: "\(scheme)://\(host)\(SigV4Signer.encodePath(path))" + (queryString.isEmpty ? "" : "?\(queryString)"))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers where name != "host" { request.headers.add(name: name, value: value) }
        request.headers.add(name: "authorization", value: signature.authorization)
        if method == "PUT" || !body.isEmpty {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            throw S3Error(status: 0, code: "NetworkError", message: "\(error)")
        }
        let bytes = method == "HEAD" ? ByteBuffer() : try await response.body.collect(upTo: 256 << 20)
        let result = Response(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
        guard (200..<300).contains(result.status) else {
            throw Self.error(status: result.status, body: String(decoding: result.body, as: UTF8.self)[...])
        }
        return result
    }

    /// ETags arrive quoted (`"9b2c…"`); webhooks send them bare. One form everywhere.
    static func unquoted(_ etag: String) -> String { etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }

    static func error(status: Int, body: Substring) -> S3Error {
        S3Error(
            status: status, code: S3XML.value("Code", in: body) ?? (status == 404 ? "NotFound" : "HTTP\(status)"),
            message: S3XML.value("Message", in: body) ?? "")
    }
}
