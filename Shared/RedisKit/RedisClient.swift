import Logging
import NIOConcurrencyHelpers
import Foundation
import ServiceLifecycle

/// A Redis client over hiredis, usable from async code.
///
/// Commands go to a few connections (`maximumConnections`), each driven by its own thread that pipelines whatever is
/// waiting (see ``PipelineWorker``): the cooperative pool never blocks, and concurrent callers share round trips.
/// A broken connection is replaced on the next command.
public final class RedisClient: Sendable, Service {
    private let workers: [PipelineWorker]
    private let next = NIOLockedValueBox(0)
    private let scripts = NIOLockedValueBox<[String: String]>([:])  // script source → SHA1 from SCRIPT LOAD
    private let logger: Logger

    public init(configuration: RedisConfiguration, logger: Logger) {
        self.logger = logger
        self.workers = (0..<max(1, configuration.maximumConnections)).map {
            PipelineWorker(configuration: configuration, name: "redis-\($0)")
        }
    }

    deinit {
        for worker in workers { worker.stop() }
    }

    // MARK: - Commands

    /// Runs one command (arguments as UTF-8 strings).
    @discardableResult
    public func send(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        try await send(bytes: arguments.map { Array($0.utf8) })
    }

    /// Runs one binary-safe command. An error reply becomes a thrown ``RedisError`` with code `.serverError`.
    @discardableResult
    public func send(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisValue {
        let worker = workers[next.withLockedValue { index in
            defer { index = (index + 1) % workers.count }
            return index
        }]
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<RedisValue, RedisError>, Never>) in
            worker.enqueue(arguments) { continuation.resume(returning: $0) }
        }
        let reply = try result.get()
        if case .error(let text) = reply { throw RedisError(code: .serverError, message: text) }
        return reply
    }

    public func ping() async throws(RedisError) {
        let reply = try await send(["PING"])
        guard reply.string == "PONG" else { throw RedisError(code: .unexpectedReply, message: "PING answered \(reply)") }
    }

    public func get(_ key: String) async throws(RedisError) -> [UInt8]? {
        switch try await send(["GET", key]) {
        case .bulk(let bytes): return bytes
        case .null: return nil
        case let other: throw RedisError(code: .unexpectedReply, message: "GET answered \(other)")
        }
    }

    /// `SET key value [PX ttl] [NX]`; returns false when NX prevented the write.
    @discardableResult
    public func set(_ key: String, value: [UInt8], ttl: Duration? = nil, onlyIfAbsent: Bool = false)
        async throws(RedisError) -> Bool
    {
        var arguments: [[UInt8]] = [Array("SET".utf8), Array(key.utf8), value]
        if let ttl { arguments += [Array("PX".utf8), Array(String(ttl.milliseconds).utf8)] }
        if onlyIfAbsent { arguments.append(Array("NX".utf8)) }
        return try await send(bytes: arguments) != .null
    }

    @discardableResult
    public func delete(_ keys: String...) async throws(RedisError) -> Int64 {
        try await send(["DEL"] + keys).integer ?? 0
    }

    /// Runs a Lua script by SHA (loading it once per server), falling back to loading it again after a
    /// `NOSCRIPT` (e.g. Redis restarted and lost its script cache).
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisValue {
        var sha = scripts.withLockedValue { $0[script.source] }
        for _ in 0..<2 {
            if sha == nil {
                let loaded = try await send(["SCRIPT", "LOAD", script.source])
                guard let digest = loaded.string else {
                    throw RedisError(code: .unexpectedReply, message: "SCRIPT LOAD answered \(loaded)")
                }
                scripts.withLockedValue { $0[script.source] = digest }
                sha = digest
            }
            do {
                return try await send(["EVALSHA", sha!, String(keys.count)] + keys + arguments)
            } catch where error.code == .serverError && error.message.hasPrefix("NOSCRIPT") {
                sha = nil
            }
        }
        throw RedisError(code: .serverError, message: "script could not be loaded")
    }

    // MARK: - Lifecycle

    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops the connection threads; queued and later commands fail with `.shutdown`.
    public func shutdown() async {
        let workers = self.workers
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // stop() joins the worker threads: keep that off the cooperative pool.
            Thread.detachNewThread {
                for worker in workers { worker.stop() }
                continuation.resume()
            }
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
