import Foundation

/// One Redis connection driven by its own thread, which pipelines whatever commands are waiting: all queued commands
/// are appended, written in one go, and their replies read in order. Under load many callers share one round trip,
/// and the cooperative pool never blocks on Redis.
///
/// `@unchecked Sendable`: `queue` and `stopped` are only touched under `condition`'s lock; `connection` only by the
/// worker thread.
final class PipelineWorker: @unchecked Sendable {
    typealias Completion = @Sendable (Result<RedisValue, RedisError>) -> Void

    private let configuration: RedisConfiguration
    private let condition = NSCondition()
    private var queue: [(arguments: [[UInt8]], completion: Completion)] = []
    private var stopped = false
    private var connection: HiredisConnection?
    private let finished = DispatchSemaphore(value: 0)
    /// Most commands written before replies are read (bounds memory and latency of one round).
    private let maxPipeline = 256

    init(configuration: RedisConfiguration, name: String) {
        self.configuration = configuration
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Queues a command; `completion` runs on the worker thread.
    func enqueue(_ arguments: [[UInt8]], completion: @escaping Completion) {
        condition.lock()
        if stopped {
            condition.unlock()
            completion(.failure(RedisError(code: .shutdown, message: "the Redis client is shut down")))
            return
        }
        queue.append((arguments, completion))
        condition.signal()
        condition.unlock()
    }

    /// Stops the thread after failing whatever is still queued.
    func stop() {
        condition.lock()
        let alreadyStopped = stopped
        stopped = true
        condition.signal()
        condition.unlock()
        if !alreadyStopped { finished.wait() }
    }

    private func run() {
        defer { finished.signal() }
        while true {
            condition.lock()
            while queue.isEmpty && !stopped { condition.wait() }
            if stopped {
                let leftovers = queue
                queue.removeAll()
                condition.unlock()
                for item in leftovers { item.completion(.failure(RedisError(code: .shutdown, message: "the Redis client is shut down"))) }
                connection = nil
                return
            }
            let count = min(queue.count, maxPipeline)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            condition.unlock()
            execute(batch)
        }
    }

    private func execute(_ batch: [(arguments: [[UInt8]], completion: Completion)]) {
        let live: HiredisConnection
        do throws(RedisError) {
            if let connection, !connection.isBroken {
                live = connection
            } else {
                live = try HiredisConnection(configuration: configuration)
                connection = live
            }
            for item in batch { try live.append(item.arguments) }
        } catch {
            connection = nil
            for item in batch { item.completion(.failure(error)) }
            return
        }
        for (index, item) in batch.enumerated() {
            do throws(RedisError) {
                item.completion(.success(try live.readReply()))
            } catch {
                // The connection is unusable: this and every later reply of the round are lost.
                connection = nil
                for rest in batch[index...] { rest.completion(.failure(error)) }
                return
            }
        }
    }
}
