import Testing

/// A suite trait for suites that must not run at the same time as each other, though each may run beside every
/// other suite. The SagaProcessor and MediaService suites both run a real service on the shared media topics: a
/// MediaService under test would sign the saga tests' approved uploads, and a saga processor with a two-second
/// upload TTL would then expire and refund them — correct behaviour, but not the test's.
public struct ExclusiveSuite: SuiteTrait, TestScoping {
    let lock: AsyncLock

    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await lock.withLock { try await function() }
    }
}

extension Trait where Self == ExclusiveSuite {
    /// The suites that run services on the media saga's topics.
    public static var mediaPipeline: Self { ExclusiveSuite(lock: AsyncLock.mediaPipeline) }
}

/// A first-come, first-served lock for async code.
actor AsyncLock {
    static let mediaPipeline = AsyncLock()

    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { held = false } else { waiters.removeFirst().resume() }
    }
}
