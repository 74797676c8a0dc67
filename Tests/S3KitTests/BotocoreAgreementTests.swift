import Foundation
import S3Kit
import Testing
import TestSupport

/// Byte-for-byte agreement with botocore's presigner (PyPI, in the stack's venv) for the same inputs and clock.
@Suite("SigV4: presigned URLs agree with botocore")
struct BotocoreAgreementTests {
    struct Case: Codable {
        var endpoint: String
        var region: String
        var bucket: String
        var access: String
        var secret: String
        var method: String
        var key: String
        var expires: Int
        var content_type: String?
        var content_length: Int64?
        var epoch: Int
        var path_style: Bool
    }

    static func cases() -> [Case] {
        var generator = SystemRandomNumberGenerator()
        let names = ["photo.png", "my file (1).png", "a+b=c&d.pdf", "ünïcødé ✓.txt", "x~y_z-1.2.mp4", "semi;colon,comma.jpg", "100%.gif"]
        let types: [String?] = [nil, "image/png", "application/pdf", "video/mp4", "text/plain; charset=utf-8"]
        let endpoints: [(String, String, Bool)] = [
            ("http://127.0.0.1:19000", "us-east-1", true), ("http://minio:9000", "eu-central-1", true),
            ("https://s3.eu-west-1.amazonaws.com", "eu-west-1", false), ("https://s3.us-west-2.amazonaws.com", "us-west-2", true),
        ]
        return (0..<40).map { index in
            let (endpoint, region, pathStyle) = endpoints[index % endpoints.count]
            let user = UUID().uuidString.lowercased()
            let method = index % 2 == 0 ? "PUT" : "GET"
            return Case(
                endpoint: endpoint, region: region, bucket: index % 3 == 0 ? "media-uploads" : "bucket-\(index)",
                access: "AKIA\(index)EXAMPLE", secret: "secret/\(index)+key", method: method,
                key: "\(index % 2 == 0 ? "uploads" : "files")/\(user)/\(UUID().uuidString.lowercased())/\(names[index % names.count])",
                expires: [60, 900, 3600, 604_800][index % 4],
                content_type: method == "PUT" ? types[index % types.count] : nil,
                content_length: method == "PUT" && index % 4 == 0 ? Int64.random(in: 1...5_000_000_000, using: &generator) : nil,
                epoch: 1_700_000_000 + Int.random(in: 0..<50_000_000, using: &generator), path_style: pathStyle)
        }
    }

    @Test("40 presigned PUT/GET URLs, path and virtual-host style, odd keys, bound types and lengths: identical to botocore's")
    func agreement() async throws {
        let cases = Self.cases()
        let encoder = JSONEncoder()
        let input = try cases.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        let result = try await ExternalCommand.run(
            TestEnvironment.python, ["\(TestEnvironment.repositoryRoot)/scripts/lib/botocore_presign.py"], input: input)
        #expect(result.status == 0, "\(result.errors)")
        let output = result.output
        let expected = output.split(separator: "\n").map(String.init)
        try #require(expected.count == cases.count)
        for (test, reference) in zip(cases, expected) {
            let configuration = S3Configuration(
                endpoint: test.endpoint, region: test.region, bucket: test.bucket,
                credentials: AWSCredentials(accessKeyID: test.access, secretAccessKey: test.secret), pathStyle: test.path_style)
            let ours = S3Presigner(configuration: configuration).url(
                method: test.method, key: test.key, expires: test.expires, contentType: test.content_type,
                contentLength: test.content_length,
                at: Date(timeIntervalSince1970: TimeInterval(test.epoch)))
            #expect(ours == reference, "\(test.method) \(test.key) on \(test.endpoint)")
        }
    }
}
