import Foundation
import PostgresNIO

/// Parses `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
public enum PostgresURL {
    public struct ParseError: Error, Sendable {
        public let message: String
    }

    public static func parse(_ text: String) throws(ParseError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else { throw ParseError(message: "must look like postgres://user:password@host:port/database") }
        guard let host = components.host, !host.isEmpty else { throw ParseError(message: "no host in \(text)") }
        guard let user = components.user, !user.isEmpty else { throw ParseError(message: "no user in \(text)") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw ParseError(message: "unsupported sslmode \(sslMode)")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user,
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? nil : database,
            tls: tls)
        configuration.options.maximumConnections = 20
        return configuration
    }
}
