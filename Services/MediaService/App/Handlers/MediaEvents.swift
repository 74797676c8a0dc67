/// The events the MediaService reads and writes (schemas under `avro/`), as typed values.

/// `public.media.upload.approved` (the fields the signer needs).
struct UploadApproved: Codable, Sendable {
    var userID: String
    var fileName: String
    var mediaType: String
    var fileSize: Int64
    var requestID: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", fileName = "file_name", mediaType = "media_type", fileSize = "file_size"
        case requestID = "request_id"
    }
}

/// `internal.media.download.intent` and `internal.media.delete.intent`.
struct FileIntent: Codable, Sendable {
    var userID: String
    var filePath: String
    var requestID: String

    enum CodingKeys: String, CodingKey { case userID = "user_id", filePath = "file_path", requestID = "request_id" }
}

struct DownloadSigned: Codable, Sendable {
    var userID: String
    var filePath: String
    var downloadURL: String
    var expiresIn: Int
    var requestID: String
    var signedTime: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", filePath = "file_path", downloadURL = "download_url", expiresIn = "expires_in"
        case requestID = "request_id", signedTime = "signed_time"
    }
}

/// `public.media.download.rejected` and `public.media.delete.rejected`.
struct FileRejected: Codable, Sendable {
    var userID: String
    var filePath: String
    var requestID: String
    var reason: String
    var rejectedTime: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", filePath = "file_path", requestID = "request_id", reason, rejectedTime = "rejected_time"
    }
}

struct FileDeleted: Codable, Sendable {
    var userID: String
    var filePath: String
    var fileName: String
    var mediaType: String
    var fileSize: Int64
    var deleteTime: String
    var requestID: String?

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", filePath = "file_path", fileName = "file_name", mediaType = "media_type"
        case fileSize = "file_size", deleteTime = "delete_time", requestID = "request_id"
    }
}

/// `internal.media.delete.retry` (`retryCount` = failed attempts so far) and `.dead-letter`.
struct DeleteRetry: Codable, Sendable {
    var userID: String
    var filePath: String
    var fileName: String
    var mediaType: String
    var fileSize: Int64
    var requestID: String
    var retryCount: Int
    var failedAt: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", filePath = "file_path", fileName = "file_name", mediaType = "media_type"
        case fileSize = "file_size", requestID = "request_id", retryCount = "retry_count", failedAt = "failed_at"
    }
}

struct DeleteDeadLetter: Codable, Sendable {
    var userID: String
    var filePath: String
    var fileName: String
    var mediaType: String
    var fileSize: Int64
    var requestID: String
    var retryCount: Int
    var failureReason: String
    var deadLetterTime: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", filePath = "file_path", fileName = "file_name", mediaType = "media_type"
        case fileSize = "file_size", requestID = "request_id", retryCount = "retry_count"
        case failureReason = "failure_reason", deadLetterTime = "dead_letter_time"
    }
}

