internal import CRdKafka
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import ServiceLifecycle

/// An idempotent, acks=all Kafka producer whose `send` returns only after the broker acknowledged the record.
///
/// Delivery reports arrive as librdkafka events polled by a dedicated thread (see ``ProducerClient``). The producer
/// works as soon as it is created; as a `Service`, `run()` waits for graceful shutdown and then flushes.
///
/// After a fatal error, or when asked to (``resetClient(reason:)``, e.g. after a broker outage that lost the
/// idempotent producer's state), it replaces its librdkafka instance; records in flight on the old one still get
/// their delivery reports while it is flushed, and any it never reported fail then (`.messageTimedOut`), so no
/// sender waits for ever.
public final class KafkaProducer: Sendable, Service {
    private let client: NIOLockedValueBox<ProducerClient>
    private let state: NIOLockedValueBox<State>
    private let configuration: KafkaProducerConfiguration
    private let logger: Logger

    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        self.configuration = configuration
        var producerLogger = logger
        producerLogger[metadataKey: "kafka.client.type"] = "producer"
        let logger = producerLogger
        self.logger = logger
        let state = NIOLockedValueBox(State())
        self.state = state
        self.client = NIOLockedValueBox(
            try ProducerClient(properties: configuration.properties) { event in
                Self.handle(event: event, state: state, logger: logger)
            })
    }

    deinit {
        client.withLockedValue { $0 }.close()
    }

    /// Replaces the librdkafka instance with a fresh one (new producer id). The old instance is retired in the
    /// background once its in-flight records are resolved.
    public func resetClient(reason: String) throws(KafkaError) {
        let state = self.state
        let logger = self.logger
        let fresh = try ProducerClient(properties: configuration.properties) { event in
            Self.handle(event: event, state: state, logger: logger)
        }
        // The swap and the generation change together, under the state lock (the order `enqueue` takes them in), so
        // every record is counted to the client it really went to.
        let (retired, retiredGeneration) = state.withLockedValue { state in
            state.fatalError = nil
            state.brokersDown = false
            state.generation += 1
            let retired = client.withLockedValue { current in
                defer { current = fresh }
                return current
            }
            return (retired, state.generation - 1)
        }
        logger.warning("producer client replaced", metadata: ["reason": "\(reason)"])
        let timeout = Int32(configuration.messageTimeoutMilliseconds)
        DispatchQueue.global().async { [self] in
            _ = retired.flush(timeoutMilliseconds: timeout)
            retired.close()
            // Its poller has stopped: whatever it did not report by now never will be.
            let orphans = state.withLockedValue { state in
                state.pending.compactMap { $0.value.generation == retiredGeneration ? $0.key : nil }
            }
            guard !orphans.isEmpty else { return }
            logger.warning("records without a delivery report from the replaced client", metadata: ["count": "\(orphans.count)"])
            let error = KafkaError(code: .messageTimedOut, message: "no delivery report before the producer client was replaced")
            fail(orphans.map { ($0, error) })
        }
    }

    private var currentHandle: RDKafkaHandle { client.withLockedValue { $0.handle } }

    // MARK: - Sending

    /// Produces one record and waits for the broker's acknowledgement.
    /// - Throws: `KafkaError` — `.queueFull` when the local queue stays full past the enqueue timeout,
    ///   `.messageTimedOut`/`.brokerUnavailable` when the broker did not take it, `.shutdown` after shutdown.
    @discardableResult
    public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> KafkaDeliveryReport {
        let deadline = ContinuousClock.now + .milliseconds(configuration.enqueueTimeoutMilliseconds)
        while true {
            let result = await withUnsafeContinuation { (continuation: ProducerContinuation) in
                enqueue(CollectionOfOne(record)) { _ in .single(continuation) }
            }
            switch result {
            case .success(let report): return report
            case .failure(let error) where error.code == .queueFull && ContinuousClock.now < deadline:
                try? await Task.sleep(for: .milliseconds(1))
            case .failure(let error): throw error
            }
        }
    }

    /// Produces many records at once (librdkafka batches them) and waits until every one is acknowledged or has
    /// failed. Results are in input order; one record's failure does not affect the others.
    public func send(batch records: [KafkaProducerRecord]) async -> [Result<KafkaDeliveryReport, KafkaError>] {
        guard !records.isEmpty else { return [] }
        var results = [Result<KafkaDeliveryReport, KafkaError>?](repeating: nil, count: records.count)
        var remaining = Array(records.indices)
        let deadline = ContinuousClock.now + .milliseconds(configuration.enqueueTimeoutMilliseconds)
        while !remaining.isEmpty {
            let round = await withCheckedContinuation { (continuation: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>) in
                let collector = BatchCollector(count: remaining.count, continuation: continuation)
                enqueue(remaining.lazy.map { records[$0] }) { slot in .batch(collector, slot) }
            }
            var retry: [Int] = []
            for (slot, index) in remaining.enumerated() {
                if case .failure(let error) = round[slot], error.code == .queueFull, ContinuousClock.now < deadline {
                    retry.append(index)
                } else {
                    results[index] = round[slot]
                }
            }
            remaining = retry
            if !remaining.isEmpty { try? await Task.sleep(for: .milliseconds(1)) }
        }
        return results.map { $0! }
    }

    /// Proves a broker answers a metadata request within the timeout (used by readiness checks).
    public func checkBrokers(timeout: Duration = .seconds(2)) async throws(KafkaError) {
        let handle = currentHandle
        let millis = timeout.cMilliseconds
        let error = await withCheckedContinuation { (continuation: CheckedContinuation<KafkaError?, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: handle.checkBrokers(timeoutMilliseconds: millis)) }
        }
        if let error { throw error }
    }

    /// True after librdkafka reported all brokers down, until a record is acknowledged again. Lets callers fail fast
    /// (circuit breaker) instead of waiting for the delivery timeout.
    public var brokersReportedDown: Bool { state.withLockedValue { $0.brokersDown } }

    /// Number of records enqueued but not yet acknowledged.
    public var inFlightCount: Int { state.withLockedValue { $0.pending.count } }

    // MARK: - Lifecycle

    public func run() async throws {
        // Sending works from creation; the service only has to flush on the way out.
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops accepting records, waits up to `timeout` for in-flight ones, and fails whatever is left.
    public func shutdown(timeout: Duration = .seconds(10)) async {
        let alreadyShut = state.withLockedValue { state in
            defer { state.isShutdown = true }
            return state.isShutdown
        }
        if alreadyShut { return }
        let current = client.withLockedValue { $0 }
        let millis = timeout.cMilliseconds
        let flushResult = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            DispatchQueue.global().async {
                let result = current.flush(timeoutMilliseconds: millis)
                current.close()
                continuation.resume(returning: result)
            }
        }
        let leftovers = state.withLockedValue { state in
            defer { state.pending.removeAll() }
            return state.pending
        }
        if !leftovers.isEmpty {
            logger.error(
                "producer shut down with unacknowledged records",
                metadata: ["count": "\(leftovers.count)", "flush": "\(flushResult)"])
        }
        for (_, entry) in leftovers { entry.pending.complete(.failure(.shutdownError)) }
        logger.debug("producer flushed")
    }

    // MARK: - Internals

    /// Hands records to librdkafka; `pending(slot)` is what completes the record at that position. One pass over
    /// the state lock admits them all (a batch costs one lock round, not one per record).
    private func enqueue<Records: Collection<KafkaProducerRecord>>(_ records: Records, pending: (Int) -> Pending) {
        let count = records.count
        let admission = state.withLockedValue { state -> Admission in
            if state.isShutdown { return .shutDown }
            if let fatal = state.fatalError {
                state.fatalError = nil
                return .replaceClient(fatal)
            }
            // Ids are never reused: 64 bits outlast any process, and the first is 1 (0 would be a NULL opaque).
            let first = state.nextID
            for slot in 0..<count { state.pending[first + UInt(slot)] = Entry(pending: pending(slot), generation: state.generation) }
            state.nextID += UInt(count)
            // The client of this generation, held until the loop below is done: a reset may retire it meanwhile,
            // but not destroy it under us.
            return .admitted(firstID: first, client: client.withLockedValue { $0 })
        }
        let firstID: UInt
        let target: ProducerClient
        switch admission {
        case .shutDown:
            for slot in 0..<count { pending(slot).complete(.failure(.shutdownError)) }
            return
        case .replaceClient(let fatal):
            do {
                try resetClient(reason: "fatal error: \(fatal.message)")
            } catch {
                for slot in 0..<count { pending(slot).complete(.failure(error)) }
                return
            }
            return enqueue(records, pending: pending)
        case .admitted(let first, let client):
            (firstID, target) = (first, client)
        }
        var refused: [(id: UInt, error: KafkaError)] = []
        withExtendedLifetime(target) {
            let handle = target.handle.pointer
            var queueFull: KafkaError?
            for (slot, record) in records.enumerated() {
                // After one refusal for a full queue the rest are refused untried, so a retry keeps their order (a
                // later record of the same key must not go out before an earlier one).
                if let queueFull {
                    refused.append((firstID + UInt(slot), queueFull))
                    continue
                }
                let err = rdKafkaEnqueue(handle, record, opaque: firstID + UInt(slot))
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    let error = KafkaError.from(err, context: "produce to \(record.topic)")
                    if error.code == .queueFull { queueFull = error }
                    refused.append((firstID + UInt(slot), error))
                }
            }
        }
        if !refused.isEmpty {
            // Not enqueued: no delivery report will come, so complete them here.
            ProducerMetrics.rejected.increment(by: refused.count)
            fail(refused)
        }
    }

    /// Completes admitted records that will get no delivery report with their error.
    private func fail(_ failures: [(id: UInt, error: KafkaError)]) {
        let removed = state.withLockedValue { state in
            failures.compactMap { failure in state.pending.removeValue(forKey: failure.id).map { ($0.pending, failure.error) } }
        }
        for (pending, error) in removed { pending.complete(.failure(error)) }
    }

    private static func handle(event: OpaquePointer, state: NIOLockedValueBox<State>, logger: Logger) {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            var outcomes: [(UInt, Result<KafkaDeliveryReport, KafkaError>)] = []
            // The messages of one report mostly share a topic: name it once.
            var lastTopic: (handle: OpaquePointer?, name: String) = (nil, "")
            while let message = rd_kafka_event_message_next(event) {
                let id = UInt(bitPattern: message.pointee._private)
                let err = message.pointee.err
                if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    if lastTopic.handle != message.pointee.rkt {
                        lastTopic = (message.pointee.rkt, String(cString: rd_kafka_topic_name(message.pointee.rkt)))
                    }
                    let topic = lastTopic.name
                    outcomes.append(
                        (id, .success(KafkaDeliveryReport(
                            topic: topic, partition: message.pointee.partition, offset: message.pointee.offset))))
                } else {
                    outcomes.append((id, .failure(KafkaError.from(err, context: "delivery"))))
                }
            }
            let failures = outcomes.reduce(0) { count, outcome in
                if case .failure = outcome.1 { return count + 1 }
                return count
            }
            ProducerMetrics.acknowledged.increment(by: outcomes.count - failures)
            if failures > 0 { ProducerMetrics.failed.increment(by: failures) }
            let completions = state.withLockedValue { state in
                if failures < outcomes.count { state.brokersDown = false }
                return outcomes.compactMap { id, result in state.pending.removeValue(forKey: id).map { ($0.pending, result) } }
            }
            complete(completions)
        case RD_KAFKA_EVENT_LOG:
            RDKafkaLog.forward(event, logger: logger)
        case RD_KAFKA_EVENT_ERROR:
            if rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN {
                state.withLockedValue { $0.brokersDown = true }
            }
            if let fatal = RDKafkaLog.handleError(event, logger: logger) {
                state.withLockedValue { $0.fatalError = fatal }
            }
        default:
            break
        }
    }

    /// Completes delivered records; a run of records from one batch is handed to its collector in one go (one lock
    /// round per report rather than per record).
    private static func complete(_ completions: [(Pending, Result<KafkaDeliveryReport, KafkaError>)]) {
        var index = 0
        while index < completions.count {
            guard case .batch(let collector, _) = completions[index].0 else {
                completions[index].0.complete(completions[index].1)
                index += 1
                continue
            }
            var end = index + 1
            while end < completions.count, case .batch(let next, _) = completions[end].0, next === collector { end += 1 }
            collector.record(completions[index..<end].lazy.compactMap { pending, result in
                if case .batch(_, let slot) = pending { (slot, result) } else { nil }
            })
            index = end
        }
    }

    // MARK: - State

    /// Unchecked (one allocation and one atomic less per record on the hot path): every continuation is resumed
    /// exactly once, by whoever removes its entry from `State.pending` — the delivery report, a failed enqueue or
    /// shutdown — or directly when it never got an entry.
    typealias ProducerContinuation = UnsafeContinuation<Result<KafkaDeliveryReport, KafkaError>, Never>

    struct State {
        var nextID: UInt = 1
        var pending: [UInt: Entry] = [:]
        /// Bumped by every client replacement; each pending record remembers the one it was sent with.
        var generation = 0
        var isShutdown = false
        var fatalError: KafkaError?
        /// librdkafka reported that no broker is reachable; cleared by the next successful delivery.
        var brokersDown = false
    }

    struct Entry {
        var pending: Pending
        var generation: Int
    }

    /// What `enqueue` may do with records, decided under the state lock.
    private enum Admission {
        case shutDown
        /// A fatal error (e.g. the idempotent producer's sequence broke) disables a librdkafka instance for good: the
        /// first sender after it replaces the instance, then sends with the fresh one.
        case replaceClient(KafkaError)
        /// Registered as pending from `firstID` on, to be sent with `client`.
        case admitted(firstID: UInt, client: ProducerClient)
    }

    enum Pending {
        case single(ProducerContinuation)
        case batch(BatchCollector, Int)

        func complete(_ result: Result<KafkaDeliveryReport, KafkaError>) {
            switch self {
            case .single(let continuation): continuation.resume(returning: result)
            case .batch(let collector, let slot): collector.record(result, at: slot)
            }
        }
    }

    /// Gathers the results of one `send(batch:)` round and resumes its caller once, when the last one is in.
    final class BatchCollector: Sendable {
        private let box: NIOLockedValueBox<(results: [Result<KafkaDeliveryReport, KafkaError>?], remaining: Int)>
        private let continuation: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>

        init(count: Int, continuation: CheckedContinuation<[Result<KafkaDeliveryReport, KafkaError>], Never>) {
            self.box = NIOLockedValueBox((Array(repeating: nil, count: count), count))
            self.continuation = continuation
        }

        func record(_ result: Result<KafkaDeliveryReport, KafkaError>, at slot: Int) {
            record(CollectionOfOne((slot, result)))
        }

        func record(_ results: some Sequence<(Int, Result<KafkaDeliveryReport, KafkaError>)>) {
            let finished: [Result<KafkaDeliveryReport, KafkaError>]? = box.withLockedValue { box in
                let before = box.remaining
                for (slot, result) in results where box.results[slot] == nil {
                    box.results[slot] = result
                    box.remaining -= 1
                }
                // Resumed once: by the call that filled the last slot (a repeated report changes nothing).
                return box.remaining == 0 && before > 0 ? box.results.map { $0! } : nil
            }
            if let finished { continuation.resume(returning: finished) }
        }
    }
}

/// Producer counters (process-wide; one producer per process is the norm).
enum ProducerMetrics {
    /// Records the broker acknowledged.
    static let acknowledged = Counter(label: "kafka_producer_records_total", dimensions: [("result", "acked")])
    /// Records that failed after enqueueing (timeout, broker error).
    static let failed = Counter(label: "kafka_producer_records_total", dimensions: [("result", "failed")])
    /// Records librdkafka refused to enqueue (queue full, unknown partition, …).
    static let rejected = Counter(label: "kafka_producer_records_total", dimensions: [("result", "rejected")])
}
