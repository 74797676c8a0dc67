import Foundation
import PostgresNIO
import Shared

/// Upload URL TTL (reference §6.5, with its quirks fixed): a signed upload arms one timer per staging path; the
/// upload arriving disarms it; if it fires, the upload expired — `public.media.expired.events` with the intent's
/// real name, size and type, and the credit back exactly once.
struct UploadTTLSaga: Saga {
    static let name = "upload-ttl"
    static let timer = "expire"
    var name: String { Self.name }
    var topics: Set<String> { [MediaTopics.uploadSigned, MediaTopics.uploadReceived] }
    let ttl: Duration

    enum Phase: String, Codable { case armed, uploaded, expired }

    struct State: Codable {
        var phase: Phase
        /// The signed event (absent when the upload arrived first).
        var signed: UploadSigned?
    }

    func key(for input: SagaInput) throws -> String {
        let path: String
        switch input.topic {
        case MediaTopics.uploadSigned: path = try input.payload.decode(as: UploadSigned.self).filePath
        default: path = try input.payload.decode(as: UploadReceived.self).filePath
        }
        guard !path.isEmpty else { throw InvalidEventError(description: "file_path is empty") }
        return path
    }

    func handle(_ input: SagaInput, in step: SagaStep) async throws {
        let state = try step.state(State.self)
        if input.topic == MediaTopics.uploadSigned {
            // A duplicate signed event (or one after the upload) never arms a second timer.
            guard state == nil else { return step.count(.duplicate) }
            step.count(.started)
            try step.setState(State(phase: .armed, signed: try input.payload.decode(as: UploadSigned.self)))
            step.schedule(Self.timer, after: ttl)
            return
        }
        switch state?.phase {
        case .armed?:
            step.cancel(Self.timer)
            try step.setState(State(phase: .uploaded, signed: state?.signed), finished: true)
            step.count(.completed)
        case nil:
            // The upload overtook its signed event (different topics, no order between them): remember it, so the
            // signed event that follows arms nothing.
            try step.setState(State(phase: .uploaded, signed: nil), finished: true)
        case .uploaded?, .expired?:
            step.count(.duplicate)
        }
    }

    func fire(_ timer: FiredTimer, in step: SagaStep) async throws {
        guard let state = try step.state(State.self), state.phase == .armed, let signed = state.signed else { return }
        // The object may have arrived with its `upload.received` still on the way (an upload in the URL's last
        // moments, or this processor behind its input): the MediaService records every upload it sees before
        // announcing it. Then the upload counts, nothing expires, and the event that follows finds it done.
        if try await Self.uploadSeen(signed.filePath, in: step) {
            try step.setState(State(phase: .uploaded, signed: signed), finished: true)
            return step.count(.completed)
        }
        let intent = try await step.peek(saga: CreditCheckSaga.name, key: signed.requestID, as: CreditCheckSaga.State.self)?.intent
        let now = Timestamps.rfc3339(step.now)
        try await step.emit(
            topic: MediaTopics.uploadExpired, key: signed.filePath,
            UploadExpired(
                userID: signed.userID, filePath: signed.filePath, fileName: signed.fileName,
                fileSize: intent?.fileSize ?? 0, mediaType: intent?.mediaType ?? "application/octet-stream",
                requestID: signed.requestID, requestTime: intent?.requestTime ?? signed.signedTime, expiredTime: now))
        _ = try await step.changeCredits(
            .init(
                userID: signed.userID, amount: 1, kind: .uploadRefunded, cause: signed.requestID,
                description: "Refund: upload expired for \(signed.fileName)", eventTime: now),
            reason: "upload_expired", requestID: signed.requestID, fileName: signed.fileName)
        try step.setState(State(phase: .expired, signed: signed), finished: true)
        step.count(.expired)
    }

    /// Whether the MediaService has seen an object at the staging path (its `media_object_events` record).
    static func uploadSeen(_ stagingPath: String, in step: SagaStep) async throws -> Bool {
        let rows = try await step.connection.query(
            "SELECT 1 FROM media_object_events WHERE kind = 'upload' AND object_key = \(stagingPath) LIMIT 1",
            logger: step.logger)
        for try await _ in rows { return true }
        return false
    }
}
