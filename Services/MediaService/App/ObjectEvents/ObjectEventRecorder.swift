import AvroKit
import Foundation
import Logging
import PostgresNIO
import S3Kit
import Shared

/// An object the store says was written.
struct StoredObject: Sendable, Equatable {
    var key: String
    var size: Int64
    var contentType: String?
    var etag: String
    var eventTime: String
}

/// Turns object-store notifications (webhooks or the listing poller) into saga events, once per object version:
/// a staged upload → `internal.media.upload.received` and the move to `files/…`; a permanent object →
/// `internal.media.file.ready`. `media_object_events` remembers what was seen; the outbox row is written in the same
/// transaction, with an event id derived from the object, so a repeated notification emits nothing new.
struct ObjectEventRecorder: Sendable {
    let postgres: PostgresClient
    let codec: AvroEventCodec
    let s3: S3Client
    let mover: ObjectMover
    let relay: OutboxRelay
    let logger: Logger

    /// Handles one notification. Size and content type come from the store (a HEAD), never from the uploader.
    /// - Returns: whether it produced an event (false: already seen, or not one of ours).
    @discardableResult
    func record(_ object: StoredObject) async throws -> Bool {
        if let parts = MediaKeys.parse(object.key, prefix: MediaKeys.stagingPrefix), let permanent = MediaKeys.permanent(forStaging: object.key) {
            var found = try await s3.headObject(key: object.key)
            if found == nil { found = try await s3.headObject(key: permanent) }  // moved already
            guard let head = found else { return false }
            let received = UploadReceived(
                userID: parts.user, email: "", filePath: object.key, fileName: parts.fileName, fileSize: head.size,
                mediaType: head.contentType ?? object.contentType ?? "application/octet-stream", uploadTime: object.eventTime,
                permanentPath: permanent, retryCount: 0)
            let new = try await emit(kind: "upload", object: object, topic: MediaTopics.uploadReceived, key: permanent, received)
            // Move even when the event was already recorded: an earlier attempt may have crashed before moving.
            do {
                _ = try await mover.move(object.key, to: permanent)
            } catch {
                // The saga's move timeout asks for a retry; nothing is lost by not moving now.
                logger.warning("move after upload failed; the saga will retry it", metadata: ["key": "\(object.key)", "error": "\(error)"])
            }
            return new
        }
        if MediaKeys.parse(object.key, prefix: MediaKeys.permanentPrefix) != nil {
            let size = try await s3.headObject(key: object.key)?.size ?? object.size
            return try await emit(
                kind: "ready", object: object, topic: MediaTopics.fileReady, key: object.key,
                FileReady(filePath: object.key, fileSize: size, uploadTime: object.eventTime))
        }
        return false
    }

    /// Keys of `kind` already recorded (for the poller, to skip HEADs of known objects).
    func seen(kind: String, keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        let rows = try await postgres.query(
            "SELECT object_key || '|' || etag FROM media_object_events WHERE kind = \(kind) AND object_key = ANY(\(keys))",
            logger: logger)
        var seen: Set<String> = []
        for try await entry in rows.decode(String.self) { seen.insert(entry) }
        return seen
    }

    private func emit(kind: String, object: StoredObject, topic: String, key: String, _ payload: some Encodable) async throws -> Bool {
        let eventID = UUID(deterministicFrom: "object|\(kind)|\(object.key)|\(object.etag)")
        let record = try await codec.record(
            for: OutgoingEvent(
                topic: topic, key: key, payload: try JSONValue(encoding: payload), eventID: eventID,
                correlationID: MediaKeys.parse(object.key, prefix: kind == "upload" ? MediaKeys.stagingPrefix : MediaKeys.permanentPrefix)?.request
                    ?? eventID.uuidString.lowercased()))
        let logger = self.logger
        let new = try await postgres.withTransaction(logger: logger) { connection -> Bool in
            let inserted = try await connection.query(
                """
                INSERT INTO media_object_events (kind, object_key, etag) VALUES (\(kind), \(object.key), \(object.etag))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            var new = false
            for try await _ in inserted { new = true }
            if new { try await Outbox.append([OutboxEntry(eventID: eventID, record: record)], on: connection, logger: logger) }
            return new
        }
        if new { relay.nudge() }
        return new
    }
}
