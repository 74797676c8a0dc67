import Foundation
import Shared

/// Credit check (reference §6.4, made exact): an upload intent costs one credit if the balance covers it, decided once
/// per `request_id`. Approved → `public.media.upload.approved` and a balance change; otherwise
/// `public.media.upload.rejected` with `insufficient_credits`. A transient database error is retried, never turned
/// into a rejection.
struct CreditCheckSaga: Saga {
    static let name = "credit-check"
    var name: String { Self.name }
    var topics: Set<String> { [MediaTopics.uploadIntent] }

    /// Kept after the decision: a duplicate intent finds it and changes nothing; the TTL saga reads the intent's
    /// declared size and type from it.
    struct State: Codable {
        var outcome: String
        var intent: UploadIntent
    }

    func key(for input: SagaInput) throws -> String {
        let intent = try input.payload.decode(as: UploadIntent.self)
        guard !intent.requestID.isEmpty, !intent.userID.isEmpty else {
            throw InvalidEventError(description: "an upload intent needs user_id and request_id")
        }
        return intent.requestID
    }

    func handle(_ input: SagaInput, in step: SagaStep) async throws {
        guard try step.state(State.self) == nil else { return step.count(.duplicate) }
        let intent = try input.payload.decode(as: UploadIntent.self)
        step.count(.started)
        let now = Timestamps.rfc3339(step.now)
        let outcome = try await step.changeCredits(
            .init(
                userID: intent.userID, amount: -1, kind: .uploadDeducted, cause: intent.requestID,
                description: "Upload: \(intent.fileName)", eventTime: now),
            reason: "upload_deducted", requestID: intent.requestID, fileName: intent.fileName)
        switch outcome {
        case .applied, .duplicate:
            // `.duplicate`: the deduction exists from an earlier run whose state was since cleaned up — it was
            // approved then, and its outputs went out then.
            if outcome != .duplicate { try await step.emit(topic: MediaTopics.uploadApproved, key: intent.userID, intent) }
            try step.setState(State(outcome: "approved", intent: intent), finished: true)
            step.count(.completed)
        case .insufficient:
            try await step.emit(
                topic: MediaTopics.uploadRejected, key: intent.userID,
                UploadRejected(
                    userID: intent.userID, fileName: intent.fileName, mediaType: intent.mediaType, fileSize: intent.fileSize,
                    requestID: intent.requestID, reason: "insufficient_credits", rejectedTime: now))
            try step.setState(State(outcome: "rejected", intent: intent), finished: true)
            step.count(.rejected)
        }
    }

    func fire(_ timer: FiredTimer, in step: SagaStep) async throws {}
}

/// Signup bonus: +2 credits once per user, with its balance change.
struct SignupBonusSaga: Saga {
    static let name = "signup-bonus"
    static let bonus = 2
    var name: String { Self.name }
    var topics: Set<String> { [SagaTopics.signup] }

    struct State: Codable { var granted: Bool }

    func key(for input: SagaInput) throws -> String {
        let signup = try input.payload.decode(as: SignupEvent.self)
        guard !signup.userID.isEmpty else { throw InvalidEventError(description: "a signup needs user_id") }
        return signup.userID
    }

    func handle(_ input: SagaInput, in step: SagaStep) async throws {
        guard try step.state(State.self) == nil else { return step.count(.duplicate) }
        let signup = try input.payload.decode(as: SignupEvent.self)
        _ = try await step.changeCredits(
            .init(
                userID: signup.userID, amount: Self.bonus, kind: .signupBonus, cause: signup.userID,
                description: "Welcome bonus: \(Self.bonus) credits", eventTime: signup.signupTime),
            reason: "signup_bonus", requestID: nil, fileName: nil)
        try step.setState(State(granted: true), finished: true)
        step.count(.completed)
    }

    func fire(_ timer: FiredTimer, in step: SagaStep) async throws {}
}
