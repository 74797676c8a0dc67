import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import S3Kit
import Testing
import TestSupport

/// The client against the stack's S3 emulator (moto): every call, pagination, errors, and a browser-style upload
/// through a presigned URL.
@Suite("S3 client against the local S3 emulator")
struct S3ClientTests {
    static func withClient<T: Sendable>(_ body: (S3Client) async throws -> T) async throws -> T {
        try await TestServices.withS3(body)
    }

    @Test("put, head, get, copy, list with pagination, delete; a missing object is nil; deleting it twice is fine")
    func roundTrip() async throws {
        try await Self.withClient { s3 in
            let prefix = "it/\(UUID().uuidString.lowercased())/"
            let body = Array("hello, object store".utf8)
            try await s3.putObject(key: prefix + "a b+c.txt", body: body, contentType: "text/plain")
            let head = try #require(try await s3.headObject(key: prefix + "a b+c.txt"))
            #expect(head.size == Int64(body.count) && head.contentType == "text/plain")
            #expect(try await s3.getObject(key: prefix + "a b+c.txt") == body)
            #expect(try await s3.headObject(key: prefix + "missing") == nil)

            try await s3.copyObject(from: prefix + "a b+c.txt", to: prefix + "copy/ü.txt")
            #expect(try await s3.headObject(key: prefix + "copy/ü.txt")?.size == Int64(body.count))

            for index in 0..<5 { try await s3.putObject(key: prefix + "many/\(index)", body: [UInt8(index)], contentType: "application/octet-stream") }
            let first = try await s3.listObjects(prefix: prefix + "many/", maxKeys: 2)
            #expect(first.objects.map(\.key) == [prefix + "many/0", prefix + "many/1"])
            #expect(first.continuationToken != nil)
            let all = try await s3.listAllObjects(prefix: prefix)
            #expect(all.count == 7)
            #expect(Set(all.map(\.key)).contains(prefix + "copy/ü.txt"))

            try await s3.deleteObject(key: prefix + "a b+c.txt")
            try await s3.deleteObject(key: prefix + "a b+c.txt")
            #expect(try await s3.headObject(key: prefix + "a b+c.txt") == nil)
        }
    }

    @Test("a presigned PUT URL takes an upload with the bound content type; a presigned GET returns it")
    func presignedUpload() async throws {
        try await Self.withClient { s3 in
            let key = "uploads/it/\(UUID().uuidString.lowercased())/pic (1).png"
            let url = s3.presignedURL(method: "PUT", key: key, expires: 900, contentType: "image/png")
            // The browser's side: plain HTTP with nothing but the URL.
            let http = HTTPClient.shared
            var put = HTTPClientRequest(url: url)
            put.method = .PUT
            put.headers.add(name: "Content-Type", value: "image/png")
            put.body = .bytes(ByteBuffer(bytes: [1, 2, 3, 4]))
            let response = try await http.execute(put, timeout: .seconds(10))
            #expect(response.status.code == 200)
            let head = try #require(try await s3.headObject(key: key))
            #expect(head.size == 4 && head.contentType == "image/png")
            let get = try await http.execute(HTTPClientRequest(url: s3.presignedURL(method: "GET", key: key, expires: 60)), timeout: .seconds(10))
            #expect(Array(try await get.body.collect(upTo: 1 << 20).readableBytesView) == [1, 2, 3, 4])
        }
    }
}
