import Foundation
import Logging
import S3Kit
import ServiceLifecycle
import Shared

/// For stores without notifications (the local S3 emulator): lists `uploads/` and `files/` and hands every object
/// version not seen before to the recorder — the same events webhooks would produce, once per object, across restarts.
struct ListingPoller: Service {
    let s3: S3Client
    let recorder: ObjectEventRecorder
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeatEvery(interval, logger: logger, failure: "object listing failed; trying again") { try await round() }
    }

    func round() async throws {
        for (prefix, kind) in [(MediaKeys.stagingPrefix, "upload"), (MediaKeys.permanentPrefix, "ready")] {
            let objects = try await s3.listAllObjects(prefix: prefix)
            let seen = try await recorder.seen(kind: kind, keys: objects.map(\.key))
            for object in objects where !seen.contains("\(object.key)|\(object.etag ?? "")") {
                try await recorder.record(StoredObject(
                    key: object.key, size: object.size, contentType: nil, etag: object.etag ?? "",
                    eventTime: Timestamps.rfc3339(Date())))
            }
        }
    }
}
