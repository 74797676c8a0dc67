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

/// The identity and credit topics the sagas use (the media ones are `MediaTopics`).
enum SagaTopics {
    static let signup = "public.identity.signup.events"
    static let balanceChanged = "public.credit.balance_changed.events"
}
