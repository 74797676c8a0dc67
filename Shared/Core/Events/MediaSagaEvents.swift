/// Media saga events shared by the MediaService and the SagaProcessor (schemas under `avro/`), as typed values.

public struct UploadSigned: Codable, Sendable, Equatable {
    public var userID: String
    public var filePath: String
    public var fileName: String
    public var uploadURL: String
    public var expiresIn: Int
    public var requestID: String
    public var signedTime: String

    public init(userID: String, filePath: String, fileName: String, uploadURL: String, expiresIn: Int, requestID: String, signedTime: String) {
        self.userID = userID
        self.filePath = filePath
        self.fileName = fileName
        self.uploadURL = uploadURL
        self.expiresIn = expiresIn
        self.requestID = requestID
        self.signedTime = signedTime
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", filePath = "file_path", fileName = "file_name", uploadURL = "upload_url"
        case expiresIn = "expires_in", requestID = "request_id", signedTime = "signed_time"
    }
}

public struct UploadExpired: Codable, Sendable, Equatable {
    public var userID: String
    public var filePath: String
    public var fileName: String
    public var fileSize: Int64
    public var mediaType: String
    public var requestID: String
    public var requestTime: String
    public var expiredTime: String

    public init(userID: String, filePath: String, fileName: String, fileSize: Int64, mediaType: String, requestID: String, requestTime: String, expiredTime: String) {
        self.userID = userID
        self.filePath = filePath
        self.fileName = fileName
        self.fileSize = fileSize
        self.mediaType = mediaType
        self.requestID = requestID
        self.requestTime = requestTime
        self.expiredTime = expiredTime
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", filePath = "file_path", fileName = "file_name", fileSize = "file_size"
        case mediaType = "media_type", requestID = "request_id", requestTime = "request_time", expiredTime = "expired_time"
    }
}

public struct UploadReceived: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String
    public var filePath: String
    public var fileName: String
    public var fileSize: Int64
    public var mediaType: String
    public var uploadTime: String
    public var permanentPath: String
    public var retryCount: Int

    public init(userID: String, email: String, filePath: String, fileName: String, fileSize: Int64, mediaType: String, uploadTime: String, permanentPath: String, retryCount: Int) {
        self.userID = userID
        self.email = email
        self.filePath = filePath
        self.fileName = fileName
        self.fileSize = fileSize
        self.mediaType = mediaType
        self.uploadTime = uploadTime
        self.permanentPath = permanentPath
        self.retryCount = retryCount
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", email, filePath = "file_path", fileName = "file_name", fileSize = "file_size"
        case mediaType = "media_type", uploadTime = "upload_time", permanentPath = "permanent_path"
        case retryCount = "retry_count"
    }
}

public struct FileReady: Codable, Sendable, Equatable {
    public var filePath: String
    public var fileSize: Int64
    public var uploadTime: String

    public init(filePath: String, fileSize: Int64, uploadTime: String) {
        self.filePath = filePath
        self.fileSize = fileSize
        self.uploadTime = uploadTime
    }

    enum CodingKeys: String, CodingKey { case filePath = "file_path", fileSize = "file_size", uploadTime = "upload_time" }
}

public struct UploadRetry: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String
    public var filePath: String
    public var permanentPath: String
    public var fileName: String
    public var fileSize: Int64
    public var mediaType: String
    public var uploadTime: String
    public var retryCount: Int
    public var retryTime: String

    public init(userID: String, email: String, filePath: String, permanentPath: String, fileName: String, fileSize: Int64, mediaType: String, uploadTime: String, retryCount: Int, retryTime: String) {
        self.userID = userID
        self.email = email
        self.filePath = filePath
        self.permanentPath = permanentPath
        self.fileName = fileName
        self.fileSize = fileSize
        self.mediaType = mediaType
        self.uploadTime = uploadTime
        self.retryCount = retryCount
        self.retryTime = retryTime
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", email, filePath = "file_path", permanentPath = "permanent_path", fileName = "file_name"
        case fileSize = "file_size", mediaType = "media_type", uploadTime = "upload_time", retryCount = "retry_count"
        case retryTime = "retry_time"
    }
}

public struct UploadDeadLetter: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String
    public var filePath: String
    public var permanentPath: String
    public var fileName: String
    public var fileSize: Int64
    public var mediaType: String
    public var uploadTime: String
    public var retryCount: Int
    public var failureReason: String
    public var deadLetterTime: String

    public init(userID: String, email: String, filePath: String, permanentPath: String, fileName: String, fileSize: Int64, mediaType: String, uploadTime: String, retryCount: Int, failureReason: String, deadLetterTime: String) {
        self.userID = userID
        self.email = email
        self.filePath = filePath
        self.permanentPath = permanentPath
        self.fileName = fileName
        self.fileSize = fileSize
        self.mediaType = mediaType
        self.uploadTime = uploadTime
        self.retryCount = retryCount
        self.failureReason = failureReason
        self.deadLetterTime = deadLetterTime
    }

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", email, filePath = "file_path", permanentPath = "permanent_path", fileName = "file_name"
        case fileSize = "file_size", mediaType = "media_type", uploadTime = "upload_time", retryCount = "retry_count"
        case failureReason = "failure_reason", deadLetterTime = "dead_letter_time"
    }
}
