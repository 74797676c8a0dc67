internal import CHiredis
import Glibc

/// One hiredis context. Not thread-safe (hiredis contexts are not): the pool hands each connection to one caller
/// at a time, and every call on it runs on a pool thread, never on the cooperative pool.
///
/// `@unchecked Sendable`: exclusive use is guaranteed by ``RedisClient``'s lease discipline (a connection is either
/// idle in the pool or leased to exactly one operation).
final class HiredisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>
    /// Set once an I/O or protocol error left the context unusable.
    private(set) var isBroken = false

    init(configuration: RedisConfiguration) throws(RedisError) {
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port), timeval(configuration.connectTimeout)) else {
            throw RedisError(code: .connectionFailed, message: "cannot allocate a Redis context")
        }
        if context.pointee.err != 0 {
            let message = Self.errorText(context)
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: "connect to \(configuration.host):\(configuration.port): \(message)")
        }
        self.context = context
        _ = redisSetTimeout(context, timeval(configuration.commandTimeout))
        if let password = configuration.password {
            let reply = try command(["AUTH", password])
            if case .error(let text) = reply { throw RedisError(code: .connectionFailed, message: "AUTH: \(text)") }
        }
        if configuration.database != 0 {
            let reply = try command(["SELECT", String(configuration.database)])
            if case .error(let text) = reply { throw RedisError(code: .connectionFailed, message: "SELECT: \(text)") }
        }
    }

    deinit {
        redisFree(context)
    }

    /// Sends one command and reads its reply. Blocking.
    func command(_ arguments: [String]) throws(RedisError) -> RedisValue {
        try command(arguments.map { Array($0.utf8) })
    }

    /// Sends one binary-safe command and reads its reply. Blocking.
    func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisValue {
        try append(arguments)
        return try readReply()
    }

    /// Queues a command in hiredis' output buffer (written on the next `readReply`): pipelining many commands costs
    /// one write and one read for all of them.
    func append(_ arguments: [[UInt8]]) throws(RedisError) {
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        pointers.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count)
        // One contiguous copy keeps every argument pointer valid for the call (hiredis copies them into its buffer).
        // A trailing NUL keeps the base address non-nil even when every argument is empty.
        let arena = Array(arguments.joined()) + [0]
        let status: Int32 = arena.withUnsafeBufferPointer { buffer in
            var offset = 0
            for argument in arguments {
                let base = buffer.baseAddress.map { UnsafeRawPointer($0 + offset).assumingMemoryBound(to: CChar.self) }
                pointers.append(base)
                lengths.append(argument.count)
                offset += argument.count
            }
            return redisAppendCommandArgv(context, Int32(arguments.count), &pointers, &lengths)
        }
        if status != REDIS_OK { throw brokenError() }
    }

    /// Flushes queued commands if needed and reads the next reply. Blocking.
    func readReply() throws(RedisError) -> RedisValue {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw brokenError() }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.assumingMemoryBound(to: redisReply.self))
    }

    private func brokenError() -> RedisError {
        isBroken = true
        let message = Self.errorText(context)
        let timedOut = context.pointee.err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)
        return RedisError(code: timedOut ? .timedOut : .connectionFailed, message: message)
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(r.str.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(r.len))) } ?? [])
        case REDIS_REPLY_STATUS:
            return .status(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(r.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(r.len)), as: UTF8.self) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            var values: [RedisValue] = []
            values.reserveCapacity(Int(r.elements))
            for index in 0..<Int(r.elements) {
                if let element = r.element[index] { values.append(convert(element)) } else { values.append(.null) }
            }
            return .array(values)
        default:
            return .null
        }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

private func timeval(_ duration: Duration) -> Glibc.timeval {
    let (seconds, attoseconds) = duration.components
    return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
}
