internal import CRdKafka
import Foundation
import NIOConcurrencyHelpers

/// One librdkafka producer instance and the thread that polls its delivery reports.
///
/// A dedicated thread blocks in `rd_kafka_queue_poll`, so acknowledgements are seen as soon as they arrive and no
/// cooperative-pool thread ever blocks. ``KafkaProducer`` may replace its client (after a fatal error or a broker
/// that lost its producer state); a retired client keeps polling until its in-flight records are resolved.
final class ProducerClient: Sendable {
    let handle: RDKafkaHandle
    private let mainQueue: TransferredPointer
    private let stopRequested = NIOLockedValueBox(false)
    private let finished = DispatchSemaphore(value: 0)
    private let closed = NIOLockedValueBox(false)

    init(properties: [(String, String)], onEvent: @escaping @Sendable (OpaquePointer) -> Void) throws(KafkaError) {
        let events = Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_LOG)
        let handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: properties, events: events)
        let queue = TransferredPointer(pointer: rd_kafka_queue_get_main(handle.pointer))
        self.handle = handle
        self.mainQueue = queue
        let thread = Thread { [stopRequested, finished] in
            defer { finished.signal() }
            while !stopRequested.withLockedValue({ $0 }) {
                guard let event = rd_kafka_queue_poll(queue.pointer, 100) else { continue }
                onEvent(event)
                rd_kafka_event_destroy(event)
            }
            _ = handle  // the client outlives its poller
        }
        thread.name = "kafka-producer-poll"
        thread.start()
    }

    /// Waits up to `timeoutMilliseconds` for in-flight records. Blocking: call off the cooperative pool.
    func flush(timeoutMilliseconds: Int32) -> Int32 {
        Int32(rd_kafka_flush(handle.pointer, timeoutMilliseconds).rawValue)
    }

    /// Stops the poller and releases the queue (blocks up to one poll interval). Idempotent.
    func close() {
        let alreadyClosed = closed.withLockedValue { closed in
            defer { closed = true }
            return closed
        }
        if alreadyClosed { return }
        stopRequested.withLockedValue { $0 = true }
        finished.wait()
        if let queue = mainQueue.pointer { rd_kafka_queue_destroy(queue) }
    }

    deinit { close() }
}
