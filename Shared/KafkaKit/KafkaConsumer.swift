internal import CRdKafka
import Dispatch
import Logging
import Metrics
import NIOConcurrencyHelpers
import ServiceLifecycle

/// What the consumer hands to the application, in order.
public enum KafkaConsumerEvent: Sendable {
    /// A record. Its offset is *not* committed or stored until the application says so.
    case record(KafkaConsumerRecord)
    /// Partitions this instance now owns, positioned at the offsets the ``KafkaConsumer/OffsetProvider`` returned.
    case partitionsAssigned([KafkaTopicPartition])
    /// Partitions this instance is about to lose. Finish (or drop) work for them before asking for the next
    /// event: the consumer releases them only then, so the next owner starts after what was written.
    case partitionsRevoked([KafkaTopicPartition])
}

/// A consumer-group member with explicit offset control.
///
/// Rebalances arrive as events on the consumer queue rather than as a C callback, so the assignment can wait for
/// an async ``OffsetProvider`` (offsets kept in Postgres next to the effects) before fetching starts. Blocking
/// polls run on a private serial dispatch queue, never on the cooperative pool.
public final class KafkaConsumer: Sendable, Service {
    /// Returns the next offset to read for each partition the application knows; partitions left out start from
    /// the group's committed offset, or `auto.offset.reset`.
    public typealias OffsetProvider = @Sendable ([KafkaTopicPartition]) async throws -> [KafkaTopicPartition: Int64]

    let handle: RDKafkaHandle
    let consumerQueue: TransferredPointer
    let pollQueue = DispatchQueue(label: "kafka-consumer-poll")
    private let configuration: KafkaConsumerConfiguration
    private let offsetProvider: OffsetProvider?
    let logger: Logger
    let state = NIOLockedValueBox(State())

    struct State {
        var pendingAssignment: [KafkaTopicPartition]?
        var pendingUnassign = false
        var assignment: Set<KafkaTopicPartition> = []
        /// From subscribing, and from each revocation, until the next assignment is taken: the member is joining.
        var rebalancing = true
        var closed = false
    }

    public init(
        configuration: KafkaConsumerConfiguration,
        logger: Logger,
        offsetProvider: OffsetProvider? = nil
    ) throws(KafkaError) {
        self.configuration = configuration
        self.offsetProvider = offsetProvider
        var logger = logger
        logger[metadataKey: "kafka.client.type"] = "consumer"
        logger[metadataKey: "kafka.group.id"] = "\(configuration.groupID)"
        self.logger = logger
        let events = Int32(
            RD_KAFKA_EVENT_FETCH | RD_KAFKA_EVENT_REBALANCE | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_LOG
                | RD_KAFKA_EVENT_OFFSET_COMMIT)
        self.handle = try RDKafkaHandle(
            type: RD_KAFKA_CONSUMER, properties: configuration.properties, events: events)
        // Everything (logs, errors, rebalances, messages) then arrives on the one consumer queue.
        rd_kafka_poll_set_consumer(handle.pointer)
        self.consumerQueue = TransferredPointer(pointer: rd_kafka_queue_get_consumer(handle.pointer))

        let topics = RDKafkaPartitionList.make(
            configuration.topics.map { (KafkaTopicPartition(topic: $0, partition: Int32(RD_KAFKA_PARTITION_UA)), 0) })
        defer { rd_kafka_topic_partition_list_destroy(topics) }
        let err = rd_kafka_subscribe(handle.pointer, topics)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "subscribe") }
    }

    deinit {
        if let queue = consumerQueue.pointer { rd_kafka_queue_destroy(queue) }
    }

    /// The events, in order. One iteration at a time: the consumer is a single stream.
    public var events: Events { Events(consumer: self) }

    public struct Events: AsyncSequence, Sendable {
        public typealias Element = KafkaConsumerEvent
        let consumer: KafkaConsumer

        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer
            public mutating func next() async throws -> KafkaConsumerEvent? {
                try await consumer.nextEvent()
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(consumer: consumer) }
    }

    /// Partitions currently assigned to this member.
    public var assignment: Set<KafkaTopicPartition> { state.withLockedValue { $0.assignment } }

    /// Waits for the next event; `nil` once the consumer is closed or the task is cancelled.
    public func nextEvent() async throws -> KafkaConsumerEvent? {
        while true {
            switch try await poll(timeout: .milliseconds(configuration.pollTimeoutMilliseconds)) {
            case .event(let event): return event
            case .closed: return nil
            case .timedOut: continue
            }
        }
    }

    /// The outcome of one bounded wait.
    public enum PollResult: Sendable {
        case event(KafkaConsumerEvent)
        /// Nothing arrived within the timeout (lets batching callers flush on time).
        case timedOut
        /// The consumer is closed or the task cancelled.
        case closed
    }

    /// Waits up to `timeout` for the next event.
    public func poll(timeout: Duration) async throws -> PollResult {
        let deadline = ContinuousClock.now + timeout
        while true {
            if Task.isCancelled || state.withLockedValue({ $0.closed }) { return .closed }
            if let assigned = try await completePendingRebalance() { return .event(.partitionsAssigned(assigned)) }
            let remaining = deadline - ContinuousClock.now
            let millis = remaining <= .zero
                ? 0 : Int32(clamping: min(Int64(configuration.pollTimeoutMilliseconds), remaining.wholeMilliseconds))
            let queue = consumerQueue
            // Fast path: take what librdkafka already has without leaving this thread; only an empty queue costs a
            // hop to the blocking poll queue.
            var polled = TransferredPointer(pointer: rd_kafka_queue_poll(queue.pointer, 0))
            if polled.pointer == nil, millis > 0 {
                polled = await withCheckedContinuation { (continuation: CheckedContinuation<TransferredPointer, Never>) in
                    pollQueue.async {
                        continuation.resume(returning: TransferredPointer(pointer: rd_kafka_queue_poll(queue.pointer, millis)))
                    }
                }
            }
            if let event = polled.pointer {
                defer { rd_kafka_event_destroy(event) }
                if let result = try handle(event: event) { return .event(result) }
                continue
            }
            if ContinuousClock.now >= deadline { return .timedOut }
        }
    }

    /// Commits the given next-offsets to the group (synchronously, waits for the broker).
    public func commit(_ offsets: [KafkaTopicPartition: Int64]) async throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let handle = self.handle
        let entries = offsets.map { ($0.key, $0.value) }
        let err = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            DispatchQueue.global().async {
                let list = RDKafkaPartitionList.make(entries)
                defer { rd_kafka_topic_partition_list_destroy(list) }
                continuation.resume(returning: Int32(rd_kafka_commit(handle.pointer, list, 0).rawValue))
            }
        }
        if err != 0 { throw KafkaError.from(rd_kafka_resp_err_t(rawValue: err), context: "commit") }
    }

    /// Commits the position after `record`.
    public func commit(_ record: KafkaConsumerRecord) async throws(KafkaError) {
        try await commit([record.topicPartition: record.offset + 1])
    }

    /// The group's committed next-offsets for these partitions (-1001 where none).
    public func committedOffsets(for partitions: [KafkaTopicPartition], timeout: Duration = .seconds(5))
        async throws(KafkaError) -> [KafkaTopicPartition: Int64]
    {
        let handle = self.handle
        let millis = timeout.cMilliseconds
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<[KafkaTopicPartition: Int64], KafkaError>, Never>) in
            DispatchQueue.global().async {
                let list = RDKafkaPartitionList.make(partitions.map { ($0, rdKafkaOffsetInvalid) })
                defer { rd_kafka_topic_partition_list_destroy(list) }
                let err = rd_kafka_committed(handle.pointer, list, millis)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    continuation.resume(returning: .failure(KafkaError.from(err, context: "committed")))
                    return
                }
                var offsets: [KafkaTopicPartition: Int64] = [:]
                for (partition, offset) in RDKafkaPartitionList.read(list) { offsets[partition] = offset }
                continuation.resume(returning: .success(offsets))
            }
        }
        return try result.get()
    }

    /// Low and high watermarks of a partition, for lag metrics.
    public func watermarks(for partition: KafkaTopicPartition) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let handle = self.handle
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<(low: Int64, high: Int64), KafkaError>, Never>) in
            DispatchQueue.global().async {
                do throws(KafkaError) {
                    continuation.resume(
                        returning: .success(
                            try handle.watermarks(topic: partition.topic, partition: partition.partition, timeoutMilliseconds: 2_000)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    // MARK: - Lifecycle

    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    // MARK: - Event handling

    private func handle(event: OpaquePointer) throws -> KafkaConsumerEvent? {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_FETCH:
            guard let message = rd_kafka_event_message_next(event) else { return nil }
            if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                // Consumer errors (unknown topic while it is being created, broker hiccups) are reported and retried
                // by librdkafka; they never skip records.
                logger.warning(
                    "consumer error",
                    metadata: ["error": "\(KafkaError.from(message.pointee.err))"])
                return nil
            }
            ConsumerMetrics.records.increment()
            return .record(Self.copy(message))
        case RD_KAFKA_EVENT_REBALANCE:
            let partitions = rd_kafka_event_topic_partition_list(event).map { RDKafkaPartitionList.read($0).map(\.0) } ?? []
            let error = rd_kafka_event_error(event)
            // One critical section with `close()`'s snapshot: a rebalance is either left for the application (and
            // `close()` sees it pending) or, once the close began, answered here.
            let closing = state.withLockedValue { state in
                if state.closed { return true }
                switch error {
                case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                    state.pendingAssignment = partitions
                case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
                    state.pendingUnassign = true
                    state.rebalancing = true
                default:
                    break
                }
                return false
            }
            if closing {
                // This poll took the rebalance off the queue before `close()` could: answer it as `close()` would, or
                // the group waits out the close timeout.
                answerWhileClosing(rebalance: event)
                return nil
            }
            switch error {
            case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                return nil  // the loop completes it (async offset lookup) before polling again
            case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
                ConsumerMetrics.rebalances.increment()
                logger.info("partitions revoked", metadata: ["partitions": "\(partitions)"])
                return .partitionsRevoked(partitions)
            default:
                logger.error("rebalance error", metadata: ["error": "\(KafkaError.from(error))"])
                rd_kafka_assign(handle.pointer, nil)
                state.withLockedValue { state in
                    state.assignment = []
                    state.rebalancing = true
                }
                return nil
            }
        case RD_KAFKA_EVENT_LOG:
            RDKafkaLog.forward(event, logger: logger)
            return nil
        case RD_KAFKA_EVENT_ERROR:
            if let fatal = RDKafkaLog.handleError(event, logger: logger) { throw fatal }
            return nil
        default:
            return nil
        }
    }

    /// Finishes a rebalance the application has seen: releases revoked partitions, or positions and assigns new ones.
    private func completePendingRebalance() async throws -> [KafkaTopicPartition]? {
        let (unassign, assignment) = state.withLockedValue { state in
            defer { state.pendingUnassign = false }
            return (state.pendingUnassign, state.pendingAssignment)
        }
        if unassign {
            rd_kafka_assign(handle.pointer, nil)
            state.withLockedValue { $0.assignment = [] }
        }
        guard let assignment else { return nil }
        // If the provider throws (database down), the assignment stays pending and is retried on the next call.
        let offsets = try await offsetProvider?(assignment) ?? [:]
        // Claimed here or by `close()` (which takes over an assignment still pending when it begins), never both.
        let claimed = state.withLockedValue { state in
            guard !state.closed, state.pendingAssignment != nil else { return false }
            state.pendingAssignment = nil
            return true
        }
        guard claimed else { return nil }
        let list = RDKafkaPartitionList.make(assignment.map { ($0, offsets[$0] ?? rdKafkaOffsetInvalid) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(handle.pointer, list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            state.withLockedValue { state in
                if !state.closed { state.pendingAssignment = assignment }  // retried on the next call
            }
            throw KafkaError.from(err, context: "assign")
        }
        state.withLockedValue { state in
            state.rebalancing = false
            if !state.closed { state.assignment = Set(assignment) }
        }
        logger.info(
            "partitions assigned",
            metadata: ["partitions": "\(assignment)", "offsets": "\(offsets.map { "\($0.key)=\($0.value)" })"])
        return assignment
    }

    private static func copy(_ message: UnsafePointer<rd_kafka_message_t>) -> KafkaConsumerRecord {
        let m = message.pointee
        let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        var headers: [KafkaHeader] = []
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var index = 0
            var name: UnsafePointer<CChar>?
            var valuePointer: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, index, &name, &valuePointer, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(
                    KafkaHeader(
                        key: name.map { String(cString: $0) } ?? "",
                        value: valuePointer.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return KafkaConsumerRecord(
            topic: String(cString: rd_kafka_topic_name(m.rkt)),
            partition: m.partition,
            offset: m.offset,
            key: key,
            value: value,
            headers: headers,
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
    }
}

/// Consumer counters (process-wide).
enum ConsumerMetrics {
    static let records = Counter(label: "kafka_consumer_records_total")
    static let rebalances = Counter(label: "kafka_consumer_revocations_total")
}
