// swift-tools-version:6.2
import PackageDescription

// Event Substrate: four services and one admin tool over one Shared library.
// Layout follows ARCHITECTURE.md: C system libraries and their thin Swift wrappers under Shared/,
// each service as a library (logic, testable) plus a thin @main executable under Services/.

let package = Package(
    name: "event-substrate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "Gateway", targets: ["Gateway"]),
        .executable(name: "MessageConsumer", targets: ["MessageConsumer"]),
        .executable(name: "MediaService", targets: ["MediaService"]),
        .executable(name: "SagaProcessor", targets: ["SagaProcessor"]),
        .executable(name: "substrate", targets: ["substrate"]),
        .executable(name: "substrate-bench", targets: ["substrate-bench"]),
        .executable(name: "substrate-e2e", targets: ["substrate-e2e"]),
        .library(name: "Shared", targets: ["Shared"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // MARK: - C system libraries (only the thin wrappers below import these)
        .systemLibrary(
            name: "CRdKafka",
            path: "Shared/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            path: "Shared/CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]
        ),
        .systemLibrary(
            name: "CAvro",
            path: "Shared/CAvro",
            pkgConfig: "avro-c",
            providers: [.apt(["libavro-dev"]), .brew(["avro-c"])]
        ),

        // MARK: - Thin wrappers and pure-Swift building blocks
        .target(
            name: "KafkaKit",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/KafkaKit",
            linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "/usr/local/lib"])]
        ),
        .target(
            name: "RedisKit",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/RedisKit"
        ),
        .target(name: "AvroKit", path: "Shared/AvroKit"),
        .target(
            name: "S3Kit",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Shared/S3Kit"
        ),
        .target(name: "AvroCBridge", dependencies: ["CAvro", "AvroKit"], path: "Shared/AvroCBridge"),
        .target(
            name: "JWTAuth",
            dependencies: [
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/JWTAuth"
        ),
        .target(
            name: "Shared",
            dependencies: [
                "KafkaKit", "RedisKit", "AvroKit", "JWTAuth",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Shared/Core"
        ),

        // MARK: - Services: logic as a library, plus a thin executable
        .target(
            name: "GatewayApp",
            dependencies: [
                "Shared", "KafkaKit", "RedisKit", "JWTAuth", "AvroKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Services/Gateway/App"
        ),
        .executableTarget(name: "Gateway", dependencies: ["GatewayApp", "Shared"], path: "Services/Gateway/Main"),
        .target(
            name: "MessageConsumerApp",
            dependencies: [
                "Shared", "KafkaKit", "AvroKit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Services/MessageConsumer/App"
        ),
        .executableTarget(
            name: "MessageConsumer", dependencies: ["MessageConsumerApp", "Shared"], path: "Services/MessageConsumer/Main"),
        .target(
            name: "MediaServiceApp",
            dependencies: [
                "Shared", "KafkaKit", "AvroKit", "S3Kit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Services/MediaService/App"
        ),
        .executableTarget(name: "MediaService", dependencies: ["MediaServiceApp", "Shared"], path: "Services/MediaService/Main"),
        .target(
            name: "SagaProcessorApp",
            dependencies: [
                "Shared", "KafkaKit", "AvroKit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Services/SagaProcessor/App"
        ),
        .executableTarget(
            name: "SagaProcessor", dependencies: ["SagaProcessorApp", "Shared"], path: "Services/SagaProcessor/Main"),
        .executableTarget(
            name: "substrate",
            dependencies: [
                "Shared", "KafkaKit", "AvroKit", "JWTAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Admin"
        ),

        .executableTarget(
            name: "substrate-bench",
            dependencies: [
                "Shared", "KafkaKit", "AvroKit", "MessageConsumerApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Bench"
        ),

        .executableTarget(
            name: "substrate-e2e",
            dependencies: [
                "Shared", "AvroKit", "JWTAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Services/E2E"
        ),

        // MARK: - Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "Shared", "KafkaKit", "AvroKit", "S3Kit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "AvroKitTests", dependencies: ["AvroKit", "AvroCBridge"], path: "Tests/AvroKitTests"),
        .testTarget(name: "JWTAuthTests", dependencies: ["JWTAuth"], path: "Tests/JWTAuthTests"),
        .testTarget(
            name: "S3KitTests",
            dependencies: [
                "S3Kit", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/S3KitTests"
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: ["Shared", "KafkaKit", "RedisKit", "TestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/SharedTests"),
        .testTarget(
            name: "GatewayAppTests",
            dependencies: [
                "GatewayApp", "Shared", "KafkaKit", "AvroKit", "JWTAuth", "RedisKit", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Tests/GatewayAppTests"
        ),
        .testTarget(
            name: "SagaProcessorAppTests",
            dependencies: [
                "SagaProcessorApp", "Shared", "KafkaKit", "AvroKit", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SagaProcessorAppTests"
        ),
        .testTarget(
            name: "MediaServiceAppTests",
            dependencies: [
                "MediaServiceApp", "Shared", "KafkaKit", "AvroKit", "S3Kit", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/MediaServiceAppTests"
        ),
        .testTarget(
            name: "MessageConsumerAppTests",
            dependencies: [
                "MessageConsumerApp", "Shared", "KafkaKit", "AvroKit", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/MessageConsumerAppTests"
        ),
        .testTarget(
            name: "DeploymentTests",
            dependencies: ["TestSupport", .product(name: "Yams", package: "Yams")],
            path: "Tests/DeploymentTests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Shared", "KafkaKit", "RedisKit", "AvroKit", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/IntegrationTests"
        ),
    ]
)

// Upcoming features every anchor package enables; system-library targets reject Swift settings.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
