import Foundation
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
}
