import AsyncHTTPClient
import Shared

/// Runs `body` with an HTTP client that is shut down afterwards, whatever happens.
func withHTTPClient<T: Sendable>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    let client = HTTPClient.outbound()
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
