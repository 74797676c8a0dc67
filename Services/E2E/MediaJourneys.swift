import AvroKit
import Foundation

/// The media journeys: upload through the saga, download, another user's download, delete, no credits, abandon.
extension Journeys {
    func upload(_ user: E2EUser) async throws -> UploadedFile {
        let before = try await balance(user)
        let name = "e2e-\(UUID().uuidString.prefix(8)).png"
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }

        let requestID = try await log.step("POST /api/v1/media/upload-intent → 202 with request_id") {
            try await intent("upload", user, ["file_name": .string(name), "media_type": "image/png", "file_size": .int(Int64(bytes.count))])
        }
        let ready = try await log.step("media.upload_ready: the request_id, a presigned URL, the staging path") {
            try await user.inbox.first("media.upload_ready", within: stepTimeout) { $0.payload["request_id"]?.stringValue == requestID }
        }
        guard let url = ready.payload["upload_url"]?.stringValue, let staging = ready.payload["file_path"]?.stringValue,
            staging.hasPrefix("uploads/\(user.id)/")
        else { throw E2EFailure("media.upload_ready payload: \(ready.payload)") }
        try await log.step("PUT the bytes to the presigned URL → 200") {
            let reply = try await gateway.put(presigned: url, bytes: bytes, contentType: "image/png")
            try expect(reply.status == 200, "PUT → \(reply.status) \(reply.text)")
        }
        let permanent = "files/" + staging.dropFirst("uploads/".count)
        try await log.step("media.upload_completed for \(permanent.prefix(16))… with the name and real size") {
            let done = try await user.inbox.first("media.upload_completed", within: stepTimeout) { $0.payload["file_path"]?.stringValue == permanent }
            try expect(
                done.payload["file_name"]?.stringValue == name && done.payload["file_size"] == .int(Int64(bytes.count)),
                "media.upload_completed payload: \(done.payload)")
        }
        try await log.step("GET /api/v1/credits → one credit less (\(before - 1))") { try await expectBalance(user, before - 1) }
        try await log.step("GET /api/v1/media/files lists the file") {
            let reply = try await gateway.get("/api/v1/media/files?limit=500", token: user.token)
            let files = reply.json["files"]?.arrayValue ?? []
            try expect(files.contains { $0["file_path"]?.stringValue == permanent && $0["media_type"] == "image/png" }, "files → \(reply.text)")
        }
        let file = UploadedFile(path: permanent, name: name, bytes: bytes)
        try await log.step("download intent → media.download_ready → GET returns identical bytes") {
            let downloadID = try await intent("download", user, ["file_path": .string(permanent)])
            let signed = try await user.inbox.first("media.download_ready", within: stepTimeout) { $0.payload["request_id"]?.stringValue == downloadID }
            guard let download = signed.payload["download_url"]?.stringValue else { throw E2EFailure("download_ready: \(signed.payload)") }
            let reply = try await gateway.get(presigned: download)
            try expect(reply.status == 200 && reply.body == bytes, "GET download URL → \(reply.status), \(reply.body.count) bytes")
        }
        return file
    }

    func foreignDownload(_ other: E2EUser, of file: UploadedFile) async throws {
        try await log.step("another user's download intent → media.download_rejected not_authorized") {
            let requestID = try await intent("download", other, ["file_path": .string(file.path)])
            let rejected = try await other.inbox.first("media.download_rejected", within: stepTimeout) { $0.payload["request_id"]?.stringValue == requestID }
            try expect(rejected.payload["reason"] == "not_authorized", "download_rejected payload: \(rejected.payload)")
            let leaked = await other.inbox.received.contains { $0.eventType == "media.download_ready" }
            try expect(!leaked, "the other user received a download URL")
        }
    }

    func delete(_ user: E2EUser, _ file: UploadedFile) async throws {
        let requestID = try await log.step("POST /api/v1/media/delete-intent → 202") {
            try await intent("delete", user, ["file_path": .string(file.path)])
        }
        try await log.step("media.file_deleted with the request_id, path and name") {
            let deleted = try await user.inbox.first("media.file_deleted", within: stepTimeout) { $0.payload["request_id"]?.stringValue == requestID }
            try expect(
                deleted.payload["file_path"]?.stringValue == file.path && deleted.payload["file_name"]?.stringValue == file.name,
                "file_deleted payload: \(deleted.payload)")
        }
        try await log.step("GET /api/v1/media/files no longer lists it") {
            let reply = try await gateway.get("/api/v1/media/files?limit=500", token: user.token)
            try expect(reply.status == 200 && !reply.text.contains(file.path), "files → \(reply.text)")
        }
        try await log.step("download intent for the deleted file → media.download_rejected not_found") {
            let downloadID = try await intent("download", user, ["file_path": .string(file.path)])
            let rejected = try await user.inbox.first("media.download_rejected", within: stepTimeout) { $0.payload["request_id"]?.stringValue == downloadID }
            try expect(rejected.payload["reason"] == "not_found", "download_rejected payload: \(rejected.payload)")
        }
    }

    func noCredits(_ user: E2EUser) async throws {
        try await log.step("GET /api/v1/credits → 0 (never signed up)") { try await expectBalance(user, 0) }
        try await log.step("upload intent → media.upload_rejected insufficient_credits") {
            let requestID = try await intent("upload", user, ["file_name": "e2e-broke.png", "media_type": "image/png", "file_size": 64])
            let rejected = try await user.inbox.first("media.upload_rejected", within: stepTimeout) { $0.payload["request_id"]?.stringValue == requestID }
            try expect(rejected.payload["reason"] == "insufficient_credits", "upload_rejected payload: \(rejected.payload)")
        }
        try await log.step("GET /api/v1/credits → still 0") { try await expectBalance(user, 0) }
    }

    func abandonedUpload(_ user: E2EUser) async throws {
        let before = try await balance(user)
        let requestID = try await log.step("upload intent → 202 (the bytes will never be sent)") {
            try await intent("upload", user, ["file_name": "e2e-abandoned.png", "media_type": "image/png", "file_size": 64])
        }
        let ready = try await log.step("media.upload_ready, one credit taken") {
            let ready = try await user.inbox.first("media.upload_ready", within: stepTimeout) { $0.payload["request_id"]?.stringValue == requestID }
            try await expectBalance(user, before - 1)
            return ready
        }
        try await log.step("media.upload_expired after the upload TTL, one credit refunded") {
            let expired = try await user.inbox.first("media.upload_expired", within: expiryTimeout) { $0.payload["request_id"]?.stringValue == requestID }
            try expect(
                expired.payload["file_path"] == ready.payload["file_path"] && expired.payload["amount_refunded"] == .int(1),
                "upload_expired payload: \(expired.payload)")
        }
        try await log.step("credit.balance_changed +1 upload_expired; GET /api/v1/credits → \(before)") {
            _ = try await user.inbox.first("credit.balance_changed", within: stepTimeout) {
                $0.payload["reason"] == "upload_expired" && $0.payload["request_id"]?.stringValue == requestID
            }
            try await expectBalance(user, before)
        }
    }
}
