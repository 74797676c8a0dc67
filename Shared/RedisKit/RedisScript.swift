/// A Lua script run with `EVALSHA` (see ``RedisClient/evaluate(_:keys:arguments:)``).
public struct RedisScript: Sendable, Hashable {
    public let source: String
    public init(_ source: String) { self.source = source }
}
