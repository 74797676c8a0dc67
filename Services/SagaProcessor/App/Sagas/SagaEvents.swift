/// The events the sagas read and write (schemas under `avro/`), as typed values.

/// `internal.media.upload.intent`
struct UploadIntent: Codable, Sendable {
    var userID: String
    var fileName: String
    var mediaType: String
    var fileSize: Int64
    var requestID: String
    var requestTime: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", fileName = "file_name", mediaType = "media_type", fileSize = "file_size"
        case requestID = "request_id", requestTime = "request_time"
    }
}

/// `public.media.upload.rejected`
struct UploadRejected: Codable, Sendable {
    var userID: String
    var fileName: String
    var mediaType: String
    var fileSize: Int64
    var requestID: String
    var reason: String
    var rejectedTime: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", fileName = "file_name", mediaType = "media_type", fileSize = "file_size"
        case requestID = "request_id", reason, rejectedTime = "rejected_time"
    }
}

/// `public.identity.signup.events`
struct SignupEvent: Codable, Sendable {
    var userID: String
    var email: String
    var signupTime: String

    enum CodingKeys: String, CodingKey { case userID = "user_id", email, signupTime = "signup_time" }
}

/// `public.credit.balance_changed.events`
struct CreditBalanceChanged: Codable, Sendable {
    var userID: String
    var amount: Int
    var balance: Int
    var reason: String
    var requestID: String?
    var fileName: String?
    var eventTime: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", amount, balance, reason, requestID = "request_id", fileName = "file_name"
        case eventTime = "event_time"
    }
}

/// `public.media.upload.signed`

/// `public.media.expired.events`

/// `internal.media.upload.received`: the staging object arrived (size and type as the store saw them).

/// `internal.media.file.ready`: the permanent object exists.

/// `public.media.upload.confirmed`
struct UploadConfirmed: Codable, Sendable {
    var userID: String
    var email: String
    var filePath: String
    var fileName: String
    var fileSize: Int64
    var mediaType: String
    var uploadTime: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id", email, filePath = "file_path", fileName = "file_name", fileSize = "file_size"
        case mediaType = "media_type", uploadTime = "upload_time"
    }
}

/// `internal.media.upload.retry` and `internal.media.upload.dead-letter` (the latter adds the failure).

/// Topic names the sagas use.
enum SagaTopics {
    static let uploadIntent = "internal.media.upload.intent"
    static let uploadApproved = "public.media.upload.approved"
    static let uploadRejected = "public.media.upload.rejected"
    static let signup = "public.identity.signup.events"
    static let balanceChanged = "public.credit.balance_changed.events"
    static let uploadSigned = "public.media.upload.signed"
    static let uploadReceived = "internal.media.upload.received"
    static let fileReady = "internal.media.file.ready"
    static let uploadConfirmed = "public.media.upload.confirmed"
    static let uploadRetry = "internal.media.upload.retry"
    static let uploadDeadLetter = "internal.media.upload.dead-letter"
    static let uploadExpired = "public.media.expired.events"
}
