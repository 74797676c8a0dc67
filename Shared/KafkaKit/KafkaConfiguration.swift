/// Connection settings shared by producers, consumers and the admin client.
public struct KafkaClientConfiguration: Sendable {
    /// Bootstrap servers, `host:port` each.
    public var bootstrapServers: [String]
    public var clientID: String
    /// `plaintext`, `ssl`, `sasl_plaintext` or `sasl_ssl` (librdkafka's `security.protocol`).
    public var securityProtocol: String
    /// For example `SCRAM-SHA-256` (Redpanda); only used with a `sasl_*` protocol.
    public var saslMechanism: String?
    public var saslUsername: String?
    public var saslPassword: String?
    /// Any further librdkafka properties, applied last (they win over the typed settings).
    public var additionalProperties: [String: String]

    public init(
        bootstrapServers: [String] = ["127.0.0.1:9092"],
        clientID: String = "event-substrate",
        securityProtocol: String = "plaintext",
        saslMechanism: String? = nil,
        saslUsername: String? = nil,
        saslPassword: String? = nil,
        additionalProperties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.securityProtocol = securityProtocol
        self.saslMechanism = saslMechanism
        self.saslUsername = saslUsername
        self.saslPassword = saslPassword
        self.additionalProperties = additionalProperties
    }

    var properties: [(String, String)] {
        var props: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            ("security.protocol", securityProtocol),
        ]
        if let saslMechanism { props.append(("sasl.mechanism", saslMechanism)) }
        if let saslUsername { props.append(("sasl.username", saslUsername)) }
        if let saslPassword { props.append(("sasl.password", saslPassword)) }
        return props
    }
}

/// Producer settings. The defaults give the "accepted means durable" promise: every record is acknowledged by all
/// in-sync replicas and the idempotent producer makes internal retries duplicate-free.
public struct KafkaProducerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// `all` (default), `1` or `0`.
    public var acks: String = "all"
    public var idempotent: Bool = true
    /// How long librdkafka waits to fill a batch (`linger.ms`).
    public var lingerMilliseconds: Int = 2
    /// Upper bound on one message batch in bytes (`batch.size`).
    public var batchSizeBytes: Int = 1_000_000
    /// Delivery deadline per record, after which `send` fails (`message.timeout.ms`).
    public var messageTimeoutMilliseconds: Int = 30_000
    /// Local queue bound (`queue.buffering.max.messages`).
    public var maxQueuedMessages: Int = 500_000
    /// How long `send` waits for room in a full local queue before throwing `queueFull`.
    public var enqueueTimeoutMilliseconds: Int = 1_000

    public init(client: KafkaClientConfiguration) {
        self.client = client
    }

    var properties: [(String, String)] {
        var props = client.properties
        props += [
            ("acks", acks),
            ("enable.idempotence", idempotent ? "true" : "false"),
            ("linger.ms", String(lingerMilliseconds)),
            ("batch.size", String(batchSizeBytes)),
            ("message.timeout.ms", String(messageTimeoutMilliseconds)),
            ("queue.buffering.max.messages", String(maxQueuedMessages)),
            // Keyed records must land on the same partition as any other Kafka client would put them
            // (Java's murmur2), so that consumers written in other languages agree on per-key order.
            ("partitioner", "murmur2_random"),
        ]
        props += client.additionalProperties.sorted { $0.key < $1.key }
        return props
    }
}

/// Consumer-group settings. Offsets are never committed behind the application's back: the application stores
/// them where its effects are (Postgres) and/or commits explicitly.
public struct KafkaConsumerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    public var groupID: String
    public var topics: [String]
    /// Where to start when neither the application nor the group has an offset: `earliest` (default) or `latest`.
    public var autoOffsetReset: String = "earliest"
    /// `session.timeout.ms`; small values make the local broker's first join fast (see ARCHITECTURE.md).
    public var sessionTimeoutMilliseconds: Int = 6_000
    /// `max.poll.interval.ms`: how long the application may take between polls before it leaves the group.
    public var maxPollIntervalMilliseconds: Int = 7_000
    /// How long one blocking poll waits before the iterator re-checks shutdown.
    public var pollTimeoutMilliseconds: Int = 100
    /// Longest time the broker may hold a fetch waiting for data (`fetch.wait.max.ms`); librdkafka's 500 ms default
    /// puts up to half a second on a quiet partition's first record.
    public var fetchWaitMaxMilliseconds: Int = 20

    public init(client: KafkaClientConfiguration, groupID: String, topics: [String]) {
        self.client = client
        self.groupID = groupID
        self.topics = topics
    }

    var properties: [(String, String)] {
        var props = client.properties
        props += [
            ("group.id", groupID),
            ("auto.offset.reset", autoOffsetReset),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "false"),
            ("session.timeout.ms", String(sessionTimeoutMilliseconds)),
            ("max.poll.interval.ms", String(maxPollIntervalMilliseconds)),
            ("heartbeat.interval.ms", String(max(500, sessionTimeoutMilliseconds / 3))),
            ("fetch.wait.max.ms", String(fetchWaitMaxMilliseconds)),
            // Eager assignment: the consumer hands out whole assignments and revocations, which is what
            // offsets-in-the-database needs (see KafkaConsumer's rebalance handling).
            ("partition.assignment.strategy", "range,roundrobin"),
        ]
        props += client.additionalProperties.sorted { $0.key < $1.key }
        return props
    }
}
