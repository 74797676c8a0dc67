import Foundation

/// Presigned URLs for browsers: signed for the public endpoint, no network involved.
public struct S3Presigner: Sendable {
    public let configuration: S3Configuration
    let signer: SigV4Signer

    public init(configuration: S3Configuration) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    /// `method` on `key`, valid `expires` seconds from `date`. `contentType` binds the upload's `Content-Type` and
    /// `contentLength` its `Content-Length`: the store rejects a PUT that sends another one, so an upload can be
    /// neither of another type nor larger than the size it was approved for.
    public func url(
        method: String, key: String, expires: Int, contentType: String? = nil, contentLength: Int64? = nil,
        at date: Date = Date()
    ) -> String {
        let (scheme, host, path) = configuration.address(of: key, on: configuration.publicEndpoint)
        var headers: [(String, String)] = []
        if let contentType { headers.append(("content-type", contentType)) }
        if let contentLength { headers.append(("content-length", String(contentLength))) }
        let query = signer.presignedQuery(method: method, host: host, path: path, headers: headers, expires: expires, at: date)
        return "\(scheme)://\(host)\(SigV4Signer.encodePath(path))?\(query)"
    }
}
