import Foundation
import Logging
import S3Kit
import Shared

/// `internal.media.download.intent` → the caller's own active file → presigned GET → `public.media.download.signed`;
/// otherwise `public.media.download.rejected` with `not_found`, `not_authorized`, or `internal_error` (the row is
/// there but the object is not, or the store stays unreachable for a few attempts — the user gets an answer and can
/// ask again, instead of waiting behind an outage).
struct DownloadHandler: MediaHandler {
    let topic = MediaTopics.downloadIntent
    let files: MediaFiles
    let s3: S3Client
    let expires: Int

    func handle(_ input: MediaInput) async throws -> MediaOutcome {
        let intent = try input.payload.decode(as: FileIntent.self)
        let now = Timestamps.rfc3339(Date())
        func rejected(_ reason: String) throws -> MediaOutcome {
            MediaOutcome(outputs: [
                try MediaOutput(
                    topic: MediaTopics.downloadRejected, key: intent.filePath,
                    FileRejected(userID: intent.userID, filePath: intent.filePath, requestID: intent.requestID, reason: reason, rejectedTime: now))
            ])
        }
        guard let file = try await files.find(path: intent.filePath), file.active else { return try rejected("not_found") }
        guard file.userID == intent.userID else { return try rejected("not_authorized") }
        guard try await objectExists(intent.filePath) else { return try rejected("internal_error") }
        return MediaOutcome(outputs: [
            try MediaOutput(
                topic: MediaTopics.downloadSigned, key: intent.filePath,
                DownloadSigned(
                    userID: intent.userID, filePath: intent.filePath,
                    downloadURL: s3.presignedURL(method: "GET", key: intent.filePath, expires: expires), expiresIn: expires,
                    requestID: intent.requestID, signedTime: now))
        ])
    }

    /// Whether the object is there; false also when the store keeps failing (three attempts, 200 ms apart).
    private func objectExists(_ key: String) async throws -> Bool {
        for attempt in 1...3 {
            do {
                return try await s3.headObject(key: key) != nil
            } catch let error as S3Error where error.isTransient && attempt < 3 {
                try await Task.sleep(for: .milliseconds(200))
            } catch is S3Error {
                return false
            }
        }
        return false
    }
}

/// Removing a file: the object, then the row, then `public.media.delete.events`. A store failure schedules
/// `internal.media.delete.retry`; retries back off exponentially and end in `internal.media.delete.dead-letter`
/// plus a `delete.rejected` (`internal_error`) the user sees.
struct FileRemoval: Sendable {
    let files: MediaFiles
    let s3: S3Client
    let maxRetries: Int

    func remove(user: String, path: String, request: String, file: MediaFiles.File, failedAttempts: Int) async throws
        -> MediaOutcome
    {
        let now = Timestamps.rfc3339(Date())
        do {
            try await s3.deleteObject(key: path)
        } catch let error as S3Error {
            let attempts = failedAttempts + 1
            if attempts > maxRetries {
                return MediaOutcome(outputs: [
                    try MediaOutput(
                        topic: MediaTopics.deleteDeadLetter, key: path,
                        DeleteDeadLetter(
                            userID: user, filePath: path, fileName: file.fileName, mediaType: file.mediaType,
                            fileSize: file.fileSize, requestID: request, retryCount: failedAttempts,
                            failureReason: error.description, deadLetterTime: now)),
                    try MediaOutput(
                        topic: MediaTopics.deleteRejected, key: path,
                        FileRejected(userID: user, filePath: path, requestID: request, reason: "internal_error", rejectedTime: now)),
                ])
            }
            return MediaOutcome(outputs: [
                try MediaOutput(
                    topic: MediaTopics.deleteRetry, key: path,
                    DeleteRetry(
                        userID: user, filePath: path, fileName: file.fileName, mediaType: file.mediaType, fileSize: file.fileSize,
                        requestID: request, retryCount: attempts, failedAt: now))
            ])
        }
        return MediaOutcome(
            outputs: [
                try MediaOutput(
                    topic: MediaTopics.deleted, key: path,
                    FileDeleted(
                        userID: user, filePath: path, fileName: file.fileName, mediaType: file.mediaType, fileSize: file.fileSize,
                        deleteTime: now, requestID: request))
            ],
            statements: [MediaFiles.softDelete(path: path)])
    }
}

/// `internal.media.delete.intent` → ownership → removal, else `public.media.delete.rejected`.
struct DeleteHandler: MediaHandler {
    let topic = MediaTopics.deleteIntent
    let removal: FileRemoval

    func handle(_ input: MediaInput) async throws -> MediaOutcome {
        let intent = try input.payload.decode(as: FileIntent.self)
        func rejected(_ reason: String) throws -> MediaOutcome {
            MediaOutcome(outputs: [
                try MediaOutput(
                    topic: MediaTopics.deleteRejected, key: intent.filePath,
                    FileRejected(
                        userID: intent.userID, filePath: intent.filePath, requestID: intent.requestID, reason: reason,
                        rejectedTime: Timestamps.rfc3339(Date())))
            ])
        }
        guard let file = try await removal.files.find(path: intent.filePath), file.active else { return try rejected("not_found") }
        guard file.userID == intent.userID else { return try rejected("not_authorized") }
        return try await removal.remove(
            user: intent.userID, path: intent.filePath, request: intent.requestID, file: file, failedAttempts: 0)
    }
}

/// `internal.media.delete.retry` → waits out the back-off (`base × 2^(n−1)` after the failure, at most a minute),
/// then tries the removal again. The wait holds up the consumer's other inputs; it only happens while the store is
/// failing, when they would be failing too (defaults: 1, 2, 4, 8 s, then the dead letter).
struct DeleteRetryHandler: MediaHandler {
    let topic = MediaTopics.deleteRetry
    let removal: FileRemoval
    let baseDelay: Duration

    func handle(_ input: MediaInput) async throws -> MediaOutcome {
        let retry = try input.payload.decode(as: DeleteRetry.self)
        let delay = min(baseDelay * (1 << min(max(retry.retryCount - 1, 0), 16)), .seconds(60))
        if let failedAt = ISO8601DateFormatter().date(from: retry.failedAt) {
            let remaining = failedAt.timeIntervalSinceNow + Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            if remaining > 0 { try await Task.sleep(for: .milliseconds(Int(remaining * 1000))) }
        }
        // Gone already (removed by an earlier attempt that crashed before committing): nothing more to do.
        guard let file = try await removal.files.find(path: retry.filePath), file.active else { return .none }
        return try await removal.remove(
            user: retry.userID, path: retry.filePath, request: retry.requestID, file: file, failedAttempts: retry.retryCount)
    }
}
