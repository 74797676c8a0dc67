import Logging
import PostgresNIO

/// Rows of `media_files`, the permanent files users own.
struct MediaFiles: Sendable {
    struct File: Sendable {
        var userID: String
        var fileName: String
        var mediaType: String
        var fileSize: Int64
        var active: Bool
    }

    let postgres: PostgresClient
    let logger: Logger

    func find(path: String) async throws -> File? {
        let rows = try await postgres.query(
            "SELECT user_id, file_name, media_type, file_size, status = 'active' FROM media_files WHERE file_path = \(path)",
            logger: logger)
        for try await (user, name, type, size, active) in rows.decode((String, String, String, Int64, Bool).self) {
            return File(userID: user, fileName: name, mediaType: type, fileSize: size, active: active)
        }
        return nil
    }

    /// Soft delete (users stop seeing the row at once; it stays for audits).
    static func softDelete(path: String) -> PostgresQuery {
        "UPDATE media_files SET status = 'deleted', deleted_at = now() WHERE file_path = \(path) AND status = 'active'"
    }
}
