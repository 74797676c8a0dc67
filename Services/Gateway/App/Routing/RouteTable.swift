/// One allow-listed route: where its events go and which body fields the gateway fills in from the token.
public struct RouteDefinition: Sendable, Equatable {
    /// Lower-cased route key (the URL segment).
    public var key: String
    public var topic: String
    /// Body field ← token claim (`sub`, `email`, `role`). Bound fields are taken from the token, never the body.
    public var bindings: [String: String]
    /// Body field whose value is the Kafka record key (the entity whose order matters).
    public var keyField: String
    /// Per-route limits; `nil` uses the gateway's defaults.
    public var rateLimit: Int?
    public var rateWindowSeconds: Int?
    public var maxBodyBytes: Int?

    public init(
        key: String, topic: String, bindings: [String: String], keyField: String = "user_id", rateLimit: Int? = nil,
        rateWindowSeconds: Int? = nil, maxBodyBytes: Int? = nil
    ) {
        self.key = key
        self.topic = topic
        self.bindings = bindings
        self.keyField = keyField
        self.rateLimit = rateLimit
        self.rateWindowSeconds = rateWindowSeconds
        self.maxBodyBytes = maxBodyBytes
    }

    /// Browser routes bind the sender's identity by default: `user_id` ← `sub`, `email` ← `email`.
    public static let defaultExternalBindings = ["user_id": "sub", "email": "email"]
}

/// The routes in force: an immutable value swapped whole on reload, so a request never sees a half-loaded table.
public struct RouteTable: Sendable, Equatable {
    public var external: [String: RouteDefinition]
    public var webhook: [String: RouteDefinition]

    public init(external: [String: RouteDefinition] = [:], webhook: [String: RouteDefinition] = [:]) {
        self.external = external
        self.webhook = webhook
    }

    public static let empty = RouteTable()

    /// Case-insensitive lookup of a browser route.
    public func externalRoute(_ key: Substring) -> RouteDefinition? { external[key.lowercased()] }
    /// Case-insensitive lookup of a webhook route.
    public func webhookRoute(_ key: Substring) -> RouteDefinition? { webhook[key.lowercased()] }
}
