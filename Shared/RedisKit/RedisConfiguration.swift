/// Where Redis is and how the client uses it.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: Int
    public var password: String?
    /// Connections, each driven by its own pipelining thread; a couple carry tens of thousands of commands per second.
    public var maximumConnections: Int = 2
    public var connectTimeout: Duration = .seconds(2)
    /// Per-command socket timeout.
    public var commandTimeout: Duration = .seconds(2)

    public init(host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
    }

    /// Parses `redis://[:password@]host[:port][/db]`.
    public init(url: String) throws(RedisError) {
        guard url.hasPrefix("redis://") else {
            throw RedisError(code: .configuration, message: "REDIS_URL must start with redis:// (got \(url))")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let secret = credentials[credentials.index(after: colon)...]
                password = secret.isEmpty ? nil : String(secret)
            } else if !credentials.isEmpty {
                password = String(credentials)
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            if !dbText.isEmpty {
                guard let db = Int(dbText), db >= 0 else {
                    throw RedisError(code: .configuration, message: "invalid database number in REDIS_URL: \(dbText)")
                }
                database = db
            }
            rest = rest[..<slash]
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let parsed = Int(rest[rest.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw RedisError(code: .configuration, message: "invalid port in REDIS_URL: \(url)")
            }
            port = parsed
        }
        guard !host.isEmpty else { throw RedisError(code: .configuration, message: "REDIS_URL has no host: \(url)") }
        self.init(host: host, port: port, database: database, password: password)
    }
}
