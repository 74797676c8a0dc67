import Foundation

/// Runs a program to completion (the stack's Python tools, for tests that compare against a reference
/// implementation or a validator).
public enum ExternalCommand {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    /// Runs the program on a thread of its own: waiting for it on the cooperative pool would stall every other test
    /// running meanwhile (the pool has one thread per core; two such waits at once stopped the rest for seconds).
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try runBlocking(executable, arguments, input: input) })
            }
        }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], input: String?) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes while the program runs, so neither can fill up and block it.
        let errors = LockedData()
        let errorsRead = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errors.set(stderr.fileHandleForReading.readDataToEndOfFile())
            errorsRead.signal()
        }
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        errorsRead.wait()
        return Result(status: process.terminationStatus, output: output, errors: String(decoding: errors.value, as: UTF8.self))
    }
}

/// Data handed from the reader thread to the caller.
private final class LockedData: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var value: Data { lock.withLock { data ?? Data() } }
}
