import AvroKit
import Foundation
import Hummingbird
import Logging
import Shared

/// `POST /webhooks/media-upload` and `POST /webhooks/file-ready`: MinIO's bucket notifications (its webhook target
/// sends `Authorization: Bearer <auth_token>`). Unauthenticated calls get 401; malformed bodies 400; each record goes
/// to the recorder, and the store gets 200 only once every record is durable (else 503, and it redelivers).
enum WebhookRoutes {
    static func add(to router: Router<BasicRequestContext>, token: String, recorder: ObjectEventRecorder, logger: Logger) {
        for path in ["/webhooks/media-upload", "/webhooks/file-ready"] {
            router.post(RouterPath(path)) { request, context -> Response in
                guard !token.isEmpty, let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                    ConstantTime.equal(String(header.dropFirst("Bearer ".count)), token)
                else { return error(.unauthorized, "unauthorized", "a valid bearer token is required") }
                let body = try await request.body.collect(upTo: 1 << 20)
                guard let json = try? JSONValue.parse(Array(body.readableBytesView)) else {
                    return error(.badRequest, "malformed_json", "the body is not JSON")
                }
                let objects = MinIONotification.objects(in: json)
                do {
                    for object in objects { try await recorder.record(object) }
                } catch {
                    logger.warning("webhook records not stored; the store will redeliver", metadata: ["error": "\(error)"])
                    return self.error(.serviceUnavailable, "unavailable", "try again")
                }
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: .init(string: #"{"accepted":\#(objects.count)}"#)))
            }
        }
    }

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        let body = JSONValue.object(JSONObject([("error", .object(JSONObject([("code", .string(code)), ("message", .string(message))])))]))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(bytes: body.jsonBytes())))
    }
}

/// MinIO's (S3-style) event JSON: `Records[].s3.object.{key (URL-encoded), size, contentType, eTag}` and
/// `Records[].eventTime`; only `s3:ObjectCreated:*` events count.
enum MinIONotification {
    static func objects(in json: JSONValue) -> [StoredObject] {
        guard let records = json["Records"]?.arrayValue else { return [] }
        return records.compactMap { record in
            if let name = record["eventName"]?.stringValue, !name.contains("ObjectCreated") { return nil }
            guard let object = record["s3"]?["object"], let rawKey = object["key"]?.stringValue else { return nil }
            let key = rawKey.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? rawKey
            // A size that is no whole number of bytes (1e19, 1.5) is not a real object's: the record is skipped.
            let size: Int64
            switch object["size"] {
            case .int(let value)?: size = value
            case .double(let value)?:
                guard let whole = Int64(exactly: value) else { return nil }
                size = whole
            default: size = 0
            }
            return StoredObject(
                key: key, size: size, contentType: object["contentType"]?.stringValue,
                etag: (object["eTag"]?.stringValue ?? object["etag"]?.stringValue ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\"")),
                eventTime: record["eventTime"]?.stringValue ?? Timestamps.rfc3339(Date()))
        }
    }
}
