import Foundation
import Logging
import S3Kit
import Shared

/// `public.media.upload.approved` → a presigned PUT for `uploads/<user>/<request>/<name>`, bound to the approved
/// content type and size (the store refuses an upload of any other length) → `public.media.upload.signed`.
struct UploadSigningHandler: MediaHandler {
    let topic = MediaTopics.uploadApproved
    let presigner: S3Presigner
    let expires: Int

    func handle(_ input: MediaInput) async throws -> MediaOutcome {
        let approved = try input.payload.decode(as: UploadApproved.self)
        guard !approved.userID.isEmpty, !approved.requestID.isEmpty else {
            throw InvalidEventError(description: "an approved upload needs user_id and request_id")
        }
        let key = MediaKeys.staging(user: approved.userID, request: approved.requestID, fileName: approved.fileName)
        let url = presigner.url(
            method: "PUT", key: key, expires: expires, contentType: approved.mediaType, contentLength: approved.fileSize)
        return MediaOutcome(outputs: [
            try MediaOutput(
                topic: MediaTopics.uploadSigned, key: key,
                UploadSigned(
                    userID: approved.userID, filePath: key, fileName: approved.fileName, uploadURL: url, expiresIn: expires,
                    requestID: approved.requestID, signedTime: Timestamps.rfc3339(Date())))
        ])
    }
}

/// `internal.media.upload.retry` → move again, synchronously → `internal.media.upload.received` with
/// `retry_count + 1`. A move that cannot succeed (the staged object is gone) ends in
/// `internal.media.upload.dead-letter` at once — the saga finishes on it and refunds.
struct UploadRetryHandler: MediaHandler {
    let topic = MediaTopics.uploadRetry
    let mover: ObjectMover
    let logger: Logger

    func handle(_ input: MediaInput) async throws -> MediaOutcome {
        let retry = try input.payload.decode(as: UploadRetry.self)
        do {
            let moved = try await mover.move(retry.filePath, to: retry.permanentPath)
            return MediaOutcome(outputs: [
                try MediaOutput(
                    topic: MediaTopics.uploadReceived, key: retry.permanentPath,
                    UploadReceived(
                        userID: retry.userID, email: retry.email, filePath: retry.filePath, fileName: retry.fileName,
                        fileSize: moved.size, mediaType: moved.contentType ?? retry.mediaType, uploadTime: retry.uploadTime,
                        permanentPath: retry.permanentPath, retryCount: retry.retryCount + 1))
            ])
        } catch let failure as ObjectMover.Failure {
            logger.error("upload move failed for good", metadata: ["file_path": "\(retry.filePath)", "reason": "\(failure)"])
            return MediaOutcome(outputs: [
                try MediaOutput(
                    topic: MediaTopics.uploadDeadLetter, key: retry.permanentPath,
                    UploadDeadLetter(
                        userID: retry.userID, email: retry.email, filePath: retry.filePath, permanentPath: retry.permanentPath,
                        fileName: retry.fileName, fileSize: retry.fileSize, mediaType: retry.mediaType,
                        uploadTime: retry.uploadTime, retryCount: retry.retryCount, failureReason: "move failed: \(failure)",
                        deadLetterTime: Timestamps.rfc3339(Date())))
            ])
        }
    }
}

/// `public.media.expired.events` → best-effort removal of the staged object (the bucket's lifecycle rule on
/// `uploads/` is the backstop).
struct ExpiredCleanupHandler: MediaHandler {
    let topic = MediaTopics.uploadExpired
    let s3: S3Client
    let logger: Logger

    func handle(_ input: MediaInput) async throws -> MediaOutcome {
        let expired = try input.payload.decode(as: UploadExpired.self)
        guard expired.filePath.hasPrefix(MediaKeys.stagingPrefix) else { return .none }
        do {
            try await s3.deleteObject(key: expired.filePath)
        } catch {
            logger.warning("expired upload not removed (the lifecycle rule will)", metadata: ["file_path": "\(expired.filePath)", "error": "\(error)"])
        }
        return .none
    }
}
