import Logging
import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle

/// A pooled Redis client over hiredis, usable from async code.
///
/// hiredis is blocking, so each command runs on a dedicated `NIOThreadPool` thread with a leased connection; the
/// cooperative pool never blocks. Broken connections are dropped and replaced on the next lease.
public final class RedisClient: Sendable, Service {
    private let configuration: RedisConfiguration
    private let threadPool: NIOThreadPool
    private let pool: NIOLockedValueBox<Pool>
    private let scripts = NIOLockedValueBox<[String: String]>([:])  // script source → SHA1 from SCRIPT LOAD
    private let logger: Logger

    struct Pool {
        var idle: [HiredisConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var isShutdown = false
    }

    public init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: max(1, configuration.maximumConnections))
        self.threadPool.start()
        self.pool = NIOLockedValueBox(Pool())
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
        let reply = try await withConnection { connection throws(RedisError) in try connection.command(arguments) }
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

    /// Closes idle connections and stops the threads; later commands fail with `.shutdown`.
    public func shutdown() async {
        let waiters = pool.withLockedValue { pool in
            pool.isShutdown = true
            pool.idle.removeAll()
            defer { pool.waiters.removeAll() }
            return pool.waiters
        }
        for waiter in waiters { waiter.resume() }
        try? await threadPool.shutdownGracefully()
    }

    // MARK: - Pool

    private func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (HiredisConnection) throws(RedisError) -> T
    ) async throws(RedisError) -> T {
        let leased = try await lease()
        let configuration = self.configuration
        let outcome: (result: Result<T, RedisError>, connection: HiredisConnection?)
        do {
            outcome = try await threadPool.runIfActive { () -> (Result<T, RedisError>, HiredisConnection?) in
                let connection: HiredisConnection
                do throws(RedisError) {
                    // A new connection is opened here, on the pool thread, because connecting blocks.
                    if let leased { connection = leased } else { connection = try HiredisConnection(configuration: configuration) }
                } catch {
                    return (.failure(error), nil)
                }
                do throws(RedisError) {
                    return (.success(try body(connection)), connection)
                } catch {
                    return (.failure(error), connection)
                }
            }
        } catch {
            release(leased)
            throw RedisError(code: .shutdown, message: "the Redis client is shut down")
        }
        release(outcome.connection)
        return try outcome.result.get()
    }

    private func lease() async throws(RedisError) -> HiredisConnection? {
        while true {
            enum Decision { case reuse(HiredisConnection), create, wait, shutdown }
            let decision: Decision = pool.withLockedValue { pool in
                if pool.isShutdown { return .shutdown }
                if let connection = pool.idle.popLast() { return .reuse(connection) }
                if pool.open < configuration.maximumConnections {
                    pool.open += 1
                    return .create
                }
                return .wait
            }
            switch decision {
            case .reuse(let connection): return connection
            case .create: return nil  // created on the pool thread: connecting blocks
            case .shutdown: throw RedisError(code: .shutdown, message: "the Redis client is shut down")
            case .wait:
                await withCheckedContinuation { continuation in
                    let resumeNow = pool.withLockedValue { pool in
                        if pool.isShutdown || !pool.idle.isEmpty || pool.open < configuration.maximumConnections {
                            return true
                        }
                        pool.waiters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    private func release(_ connection: HiredisConnection?) {
        let waiter: CheckedContinuation<Void, Never>? = pool.withLockedValue { pool in
            if let connection, !connection.isBroken, !pool.isShutdown {
                pool.idle.append(connection)
            } else {
                pool.open -= 1
            }
            return pool.waiters.isEmpty ? nil : pool.waiters.removeFirst()
        }
        waiter?.resume()
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
