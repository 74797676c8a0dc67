import Foundation

/// Presigned URLs for browsers: signed for the public endpoint, no network involved.
public struct S3Presigner: Sendable {
    public let configuration: S3Configuration
    let signer: SigV4Signer

    public init(configuration: S3Configuration) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    /// `method` on `key`, valid `expires` seconds from `date`. `contentType` binds the upload's `Content-Type`: the
    /// store rejects a PUT that sends another one.
    public func url(method: String, key: String, expires: Int, contentType: String? = nil, at date: Date = Date()) -> String {
        let (scheme, host, path) = configuration.address(of: key, on: configuration.publicEndpoint)
        let query = signer.presignedQuery(
            method: method, host: host, path: path, headers: contentType.map { [("content-type", $0)] } ?? [],
            expires: expires, at: date)
        return "\(scheme)://\(host)\(SigV4Signer.encodePath(path))?\(query)"
    }
}
