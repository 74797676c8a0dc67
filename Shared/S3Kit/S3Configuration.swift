import Foundation

/// Where a bucket lives and how to reach it.
public struct S3Configuration: Sendable {
    /// Service endpoint for the service's own calls, e.g. `http://127.0.0.1:19000` or `https://s3.eu-west-1.amazonaws.com`.
    public var endpoint: String
    /// Endpoint written into presigned URLs (what browsers reach); defaults to `endpoint`.
    public var publicEndpoint: String
    public var region: String
    public var bucket: String
    public var credentials: AWSCredentials
    /// Path-style (`endpoint/bucket/key`, MinIO and emulators) or virtual-host style (`bucket.endpoint/key`, AWS).
    public var pathStyle: Bool

    public init(
        endpoint: String, publicEndpoint: String? = nil, region: String, bucket: String, credentials: AWSCredentials,
        pathStyle: Bool = true
    ) {
        self.endpoint = endpoint
        self.publicEndpoint = publicEndpoint ?? endpoint
        self.region = region
        self.bucket = bucket
        self.credentials = credentials
        self.pathStyle = pathStyle
    }

    /// Scheme, host header value and decoded path for an object (or the bucket, when `key` is nil).
    func address(of key: String?, on base: String) -> (scheme: String, host: String, path: String) {
        let (scheme, authority, basePath) = Self.split(base)
        let keyPath = key.map { "/" + $0 } ?? "/"
        if pathStyle { return (scheme, authority, basePath + "/" + bucket + (key.map { "/" + $0 } ?? "")) }
        return (scheme, "\(bucket).\(authority)", basePath + keyPath)
    }

    /// `http://host:port/base` → ("http", "host:port", "/base"); the default port is left out.
    static func split(_ endpoint: String) -> (scheme: String, authority: String, path: String) {
        var rest = Substring(endpoint)
        var scheme = "https"
        if let range = rest.range(of: "://") {
            scheme = String(rest[..<range.lowerBound]).lowercased()
            rest = rest[range.upperBound...]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = String(rest[..<slash])
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        if (scheme == "http" && authority.hasSuffix(":80")) || (scheme == "https" && authority.hasSuffix(":443")) {
            authority = String(authority[..<authority.lastIndex(of: ":")!])
        }
        return (scheme, authority, path)
    }
}
