import Foundation
import JWTAuth
import KafkaKit
import Logging
import PostgresNIO
import RedisKit

/// The settings every service shares, read from the ARCHITECTURE.md variable names.
public struct InfrastructureSettings: Sendable {
    public var kafka: KafkaClientConfiguration
    public var kafkaSessionTimeoutMilliseconds: Int
    public var kafkaMaxPollIntervalMilliseconds: Int
    public var postgres: PostgresClient.Configuration
    public var databaseURL: String
    public var redis: RedisConfiguration
    public var schemaRegistryURL: String?
    public var jwt: JWTConfiguration
    public var logLevel: Logger.Level
    public var logFormat: LogFormat

    public enum LogFormat: String, Sendable { case json, text }

    /// Local defaults match `scripts/stack` (dev profile).
    public static let defaultKafkaBrokers = "127.0.0.1:19092"
    public static let defaultDatabaseURL = "postgres://substrate:substrate@127.0.0.1:15432/substrate"
    public static let defaultRedisURL = "redis://127.0.0.1:16379/0"

    public init(environment env: inout EnvironmentReader, clientID: String) {
        let brokers = env.string("KAFKA_BROKERS", default: Self.defaultKafkaBrokers)
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if brokers.isEmpty { env.report("KAFKA_BROKERS must name at least one host:port") }
        let securityProtocol = env.choice(
            "KAFKA_SECURITY_PROTOCOL", default: "plaintext", allowed: ["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"])
        kafka = KafkaClientConfiguration(
            bootstrapServers: brokers,
            clientID: clientID,
            securityProtocol: securityProtocol,
            saslMechanism: env.optionalString("KAFKA_SASL_MECHANISM"),
            saslUsername: env.optionalString("KAFKA_SASL_USERNAME"),
            saslPassword: env.optionalString("KAFKA_SASL_PASSWORD"))
        if let debug = env.optionalString("KAFKA_DEBUG") {
            // librdkafka debug contexts (e.g. "broker,msg,eos") for diagnosing a client; logged at debug level.
            kafka.additionalProperties["debug"] = debug
        }
        if securityProtocol.hasPrefix("sasl"), kafka.saslUsername == nil {
            env.report("KAFKA_SASL_USERNAME is required with KAFKA_SECURITY_PROTOCOL=\(securityProtocol)")
        }
        kafkaSessionTimeoutMilliseconds = env.int("KAFKA_SESSION_TIMEOUT_MS", default: 6_000, range: 1_000...300_000)
        kafkaMaxPollIntervalMilliseconds = env.int(
            "KAFKA_MAX_POLL_INTERVAL_MS", default: 7_000, range: 1_000...3_600_000)
        if kafkaMaxPollIntervalMilliseconds < kafkaSessionTimeoutMilliseconds {
            env.report("KAFKA_MAX_POLL_INTERVAL_MS must be >= KAFKA_SESSION_TIMEOUT_MS")
        }

        databaseURL = env.string("DATABASE_URL", default: Self.defaultDatabaseURL)
        do {
            postgres = try PostgresURL.parse(databaseURL)
            // Names the service's sessions in pg_stat_activity (operators, and tests that cut one service's connections).
            postgres.options.additionalStartupParameters.append(("application_name", clientID))
        } catch {
            env.report("DATABASE_URL: \(error.message)")
            postgres = PostgresClient.Configuration(
                host: "127.0.0.1", port: 5432, username: "postgres", password: nil, database: nil, tls: .disable)
        }

        let redisURL = env.string("REDIS_URL", default: Self.defaultRedisURL)
        do {
            redis = try RedisConfiguration(url: redisURL)
        } catch {
            env.report("REDIS_URL: \(error.message)")
            redis = RedisConfiguration()
        }

        schemaRegistryURL = env.optionalString("SCHEMA_REGISTRY_URL")
        jwt = JWTConfiguration(
            hmacSecret: env.optionalString("JWT_SECRET"),
            jwksLocation: env.optionalString("JWT_JWKS_URL"),
            audience: env.optionalString("JWT_AUDIENCE"),
            issuer: env.optionalString("JWT_ISSUER"))

        let level = env.choice(
            "LOG_LEVEL", default: "info", allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        logLevel = Logger.Level(rawValue: level) ?? .info
        logFormat = LogFormat(rawValue: env.choice("LOG_FORMAT", default: "json", allowed: ["json", "text"])) ?? .json
    }

    /// Producer settings with the durability defaults.
    public func producerConfiguration() -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(client: kafka)
    }

    /// Consumer settings for a group, with the configured timeouts.
    public func consumerConfiguration(groupID: String, topics: [String]) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(client: kafka, groupID: groupID, topics: topics)
        configuration.sessionTimeoutMilliseconds = kafkaSessionTimeoutMilliseconds
        configuration.maxPollIntervalMilliseconds = kafkaMaxPollIntervalMilliseconds
        return configuration
    }
}
