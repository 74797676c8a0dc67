import KafkaKit
import PostgresNIO
import RedisKit
import Shared
import Testing

@Suite("Configuration from the environment")
struct ConfigurationTests {
    @Test("defaults are the local dev stack")
    func defaults() throws {
        var reader = EnvironmentReader([:])
        let settings = InfrastructureSettings(environment: &reader, clientID: "test")
        try reader.validate()
        #expect(settings.kafka.bootstrapServers == ["127.0.0.1:19092"])
        #expect(settings.redis.port == 16379)
        #expect(settings.postgres.port == 15432)
        #expect(settings.schemaRegistryURL == nil)
        #expect(settings.logLevel == .info)
    }

    @Test("every invalid variable is reported at once")
    func invalidValues() {
        var reader = EnvironmentReader([
            "KAFKA_BROKERS": " , ", "DATABASE_URL": "mysql://x", "REDIS_URL": "http://nope", "LOG_LEVEL": "loud",
            "KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SESSION_TIMEOUT_MS": "abc",
        ])
        _ = InfrastructureSettings(environment: &reader, clientID: "test")
        #expect(throws: ConfigurationError.self) { try reader.validate() }
        let problems = reader.problems.joined(separator: "\n")
        for name in ["KAFKA_BROKERS", "DATABASE_URL", "REDIS_URL", "LOG_LEVEL", "KAFKA_SASL_USERNAME", "KAFKA_SESSION_TIMEOUT_MS"] {
            #expect(problems.contains(name), "\(name) not reported in \(problems)")
        }
    }

    @Test("brokers are split on commas and trimmed")
    func brokers() throws {
        var reader = EnvironmentReader(["KAFKA_BROKERS": "a:1, b:2 ,c:3"])
        let settings = InfrastructureSettings(environment: &reader, clientID: "test")
        try reader.validate()
        #expect(settings.kafka.bootstrapServers == ["a:1", "b:2", "c:3"])
    }

    @Test("DATABASE_URL parsing")
    func postgresURL() throws {
        let configuration = try PostgresURL.parse("postgres://app:p%40ss@db.internal:6543/events?sslmode=disable")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "app")
        #expect(configuration.password == "p@ss")
        #expect(configuration.database == "events")
        #expect(throws: PostgresURL.ParseError.self) { try PostgresURL.parse("postgres://host-without-user/db") }
        #expect(throws: PostgresURL.ParseError.self) { try PostgresURL.parse("postgres://u@h/db?sslmode=weird") }
    }

    @Test("REDIS_URL parsing")
    func redisURL() throws {
        let full = try RedisConfiguration(url: "redis://:secret@cache:6380/3")
        #expect(full.host == "cache" && full.port == 6380 && full.database == 3 && full.password == "secret")
        let plain = try RedisConfiguration(url: "redis://127.0.0.1")
        #expect(plain.port == 6379 && plain.database == 0 && plain.password == nil)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://h:99999") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://h/x") }
    }
}
