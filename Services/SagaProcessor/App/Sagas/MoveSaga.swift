import Foundation
import Logging
import PostgresNIO
import Shared

/// Move to permanent storage (reference §6.6): joins `upload.received` and `file.ready` on the permanent path.
/// Both seen → `public.media.upload.confirmed` and the `media_files` row, once. The timeout fires while the
/// permanent object is missing → `internal.media.upload.retry` (the MediaService moves again and re-emits
/// `upload.received` with `retry_count + 1`), at most `maxRetries` times; then `internal.media.upload.dead-letter`,
/// which the user sees as `media.upload_failed`, and the credit back: the platform failed to store what was paid for.
struct MoveSaga: Saga {
    static let name = "upload-move"
    static let timer = "move-timeout"
    var name: String { Self.name }
    /// `upload.dead-letter` as an input too: the MediaService dead-letters a move that cannot succeed (the staged
    /// object is gone); the saga then ends the same way its own timeout would, without a second dead letter.
    var topics: Set<String> { [MediaTopics.uploadReceived, MediaTopics.fileReady, MediaTopics.uploadDeadLetter] }
    let timeout: Duration
    let maxRetries: Int

    enum Phase: String, Codable { case waiting, confirmed, deadLettered = "dead_lettered" }

    struct State: Codable {
        var phase: Phase
        var received: UploadReceived?
        /// The permanent object's size, from `file.ready` (the store's view).
        var readySize: Int64?
        /// Timeouts so far; bounds the retries even if a retry never produces a new `upload.received`.
        var timeouts: Int
    }

    func key(for input: SagaInput) throws -> String {
        let path: String
        switch input.topic {
        case MediaTopics.fileReady: path = try input.payload.decode(as: FileReady.self).filePath
        case MediaTopics.uploadDeadLetter: path = try input.payload.decode(as: UploadDeadLetter.self).permanentPath
        default: path = try input.payload.decode(as: UploadReceived.self).permanentPath
        }
        guard !path.isEmpty else { throw InvalidEventError(description: "the permanent path is empty") }
        return path
    }

    func handle(_ input: SagaInput, in step: SagaStep) async throws {
        var state = try step.state(State.self) ?? State(phase: .waiting, received: nil, readySize: nil, timeouts: 0)
        guard state.phase == .waiting else { return step.count(.duplicate) }
        if input.topic == MediaTopics.uploadDeadLetter {
            // Dead-lettered elsewhere (our own dead letters come back here after the phase changed, as duplicates).
            let dead = try input.payload.decode(as: UploadDeadLetter.self)
            try await refund(dead.userID, stagingPath: dead.filePath, fileName: dead.fileName, in: step)
            step.cancel(Self.timer)
            state.phase = .deadLettered
            try step.setState(state, finished: true)
            return step.count(.deadLettered)
        }
        if input.topic == MediaTopics.fileReady {
            guard state.readySize == nil else { return step.count(.duplicate) }
            state.readySize = try input.payload.decode(as: FileReady.self).fileSize
        } else {
            let received = try input.payload.decode(as: UploadReceived.self)
            // An older attempt's event arriving late changes nothing.
            if let known = state.received, received.retryCount <= known.retryCount { return step.count(.duplicate) }
            if state.received == nil { step.count(.started) }
            state.received = received
            step.schedule(Self.timer, after: timeout)
        }
        if let received = state.received, let size = state.readySize {
            try await confirm(received, size: size, in: step)
            step.cancel(Self.timer)
            state.phase = .confirmed
            try step.setState(state, finished: true)
            step.count(.completed)
        } else {
            try step.setState(state)
        }
    }

    func fire(_ timer: FiredTimer, in step: SagaStep) async throws {
        guard var state = try step.state(State.self), state.phase == .waiting, let received = state.received else { return }
        state.timeouts += 1
        let now = Timestamps.rfc3339(step.now)
        if received.retryCount < maxRetries && state.timeouts <= maxRetries {
            try await step.emit(
                topic: MediaTopics.uploadRetry, key: received.permanentPath,
                UploadRetry(
                    userID: received.userID, email: received.email, filePath: received.filePath,
                    permanentPath: received.permanentPath, fileName: received.fileName, fileSize: received.fileSize,
                    mediaType: received.mediaType, uploadTime: received.uploadTime, retryCount: received.retryCount,
                    retryTime: now))
            step.schedule(Self.timer, after: timeout)
            try step.setState(state)
            step.count(.retried)
            return
        }
        try await step.emit(
            topic: MediaTopics.uploadDeadLetter, key: received.permanentPath,
            UploadDeadLetter(
                userID: received.userID, email: received.email, filePath: received.filePath,
                permanentPath: received.permanentPath, fileName: received.fileName, fileSize: received.fileSize,
                mediaType: received.mediaType, uploadTime: received.uploadTime, retryCount: received.retryCount,
                failureReason: "max retries exceeded", deadLetterTime: now))
        try await refund(received.userID, stagingPath: received.filePath, fileName: received.fileName, in: step)
        state.phase = .deadLettered
        try step.setState(state, finished: true)
        step.count(.deadLettered)
    }

    /// The refund shares its (cause, kind) with the expiry refund: one upload is refunded at most once.
    private func refund(_ user: String, stagingPath: String, fileName: String, in step: SagaStep) async throws {
        let requestID = try await requestID(forStagingPath: stagingPath, in: step)
        _ = try await step.changeCredits(
            .init(
                userID: user, amount: 1, kind: .uploadRefunded, cause: requestID ?? stagingPath,
                description: "Refund: upload failed for \(fileName)", eventTime: Timestamps.rfc3339(step.now)),
            reason: "upload_failed", requestID: requestID, fileName: fileName)
    }

    private func confirm(_ received: UploadReceived, size: Int64, in step: SagaStep) async throws {
        try await step.emit(
            topic: MediaTopics.uploadConfirmed, key: received.permanentPath,
            UploadConfirmed(
                userID: received.userID, email: received.email, filePath: received.permanentPath, fileName: received.fileName,
                fileSize: size, mediaType: received.mediaType, uploadTime: received.uploadTime))
        let requestID = try await requestID(forStagingPath: received.filePath, in: step)
        _ = try await step.connection.query(
            """
            INSERT INTO media_files (user_id, file_name, file_path, file_size, media_type, status, upload_time, request_id)
            VALUES (\(received.userID), \(received.fileName), \(received.permanentPath), \(size), \(received.mediaType),
                    'active', \(received.uploadTime), \(requestID))
            ON CONFLICT (file_path) DO NOTHING
            """, logger: step.logger)
    }

    /// The upload's request id: from the TTL saga that saw its signed event, or — when `upload.received` overtook
    /// `upload.signed` (different topics, no order between them) — from the staging key's layout,
    /// `uploads/<user>/<request_id>/<file name>`.
    private func requestID(forStagingPath path: String, in step: SagaStep) async throws -> String? {
        if let known = try await step.peek(saga: UploadTTLSaga.name, key: path, as: UploadTTLSaga.State.self)?.signed?.requestID {
            return known
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count >= 4 && parts[0] == "uploads" && !parts[2].isEmpty ? String(parts[2]) : nil
    }
}
