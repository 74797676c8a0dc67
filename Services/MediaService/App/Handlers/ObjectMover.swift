import S3Kit

/// Moves a staged upload to its permanent key: copy, verify the copy's size, delete the staged object. Idempotent:
/// a move that already happened (staged object gone, permanent one there) reports the permanent object.
struct ObjectMover: Sendable {
    let s3: S3Client

    enum Failure: Error, CustomStringConvertible {
        /// Neither object exists: there is nothing to move.
        case missing(String)
        case sizeMismatch(expected: Int64, found: Int64)

        var description: String {
            switch self {
            case .missing(let key): "the staged object \(key) does not exist"
            case .sizeMismatch(let expected, let found): "the copy has \(found) bytes, the original \(expected)"
            }
        }
    }

    /// - Returns: the permanent object as the store reports it.
    /// - Throws: ``Failure`` when the move cannot succeed, `S3Error` otherwise.
    func move(_ staging: String, to permanent: String) async throws -> S3ObjectInfo {
        guard let source = try await s3.headObject(key: staging) else {
            if let done = try await s3.headObject(key: permanent) { return done }
            throw Failure.missing(staging)
        }
        try await s3.copyObject(from: staging, to: permanent)
        guard let copy = try await s3.headObject(key: permanent) else { throw Failure.missing(permanent) }
        guard copy.size == source.size else { throw Failure.sizeMismatch(expected: source.size, found: copy.size) }
        try await s3.deleteObject(key: staging)
        return S3ObjectInfo(key: permanent, size: copy.size, contentType: copy.contentType ?? source.contentType, etag: copy.etag)
    }
}
