internal import CRdKafka
import Logging

/// Owns one `rd_kafka_t` and destroys it exactly once.
///
/// `@unchecked Sendable`: librdkafka documents `rd_kafka_t` as thread-safe for every API we call on it
/// (produce, poll of distinct queues, metadata, assign, commit); the only mutable Swift state is the pointer,
/// which is set once in `init` and read-only afterwards.
final class RDKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Builds the configuration, enables the given events (delivered on queues we poll, never as callbacks
    /// into Swift from librdkafka threads) and creates the client.
    init(type: rd_kafka_type_t, properties: [(String, String)], events: Int32, forwardLogs: Bool = true) throws(KafkaError) {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .configuration, message: "rd_kafka_conf_new failed")
        }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        // Logs become events on the main queue so they reach swift-log from our poll loop, not stderr.
        // A client nobody polls (admin) keeps librdkafka's stderr logging but only for errors.
        let logProperties = forwardLogs ? [("log.queue", "true")] : [("log_level", "3")]
        for (key, value) in properties + logProperties {
            let result = rd_kafka_conf_set(conf, key, value, &errorBuffer, errorBuffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(
                    code: .configuration,
                    message: "\(key): \(String(errorBuffer: errorBuffer))"
                )
            }
        }
        rd_kafka_conf_set_events(conf, events)
        // rd_kafka_new takes ownership of conf on success only.
        guard let handle = rd_kafka_new(type, conf, &errorBuffer, errorBuffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .configuration, message: String(errorBuffer: errorBuffer))
        }
        self.pointer = handle
        // NULL forwards the log queue to the main queue.
        if forwardLogs { rd_kafka_set_log_queue(handle, nil) }
    }

    deinit {
        rd_kafka_destroy(pointer)
    }

    /// Fetches cluster metadata (no topics) to prove a broker answers. Blocking: call off the cooperative pool.
    func checkBrokers(timeoutMilliseconds: Int32) -> KafkaError? {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(pointer, 0, nil, &metadata, timeoutMilliseconds)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { return KafkaError.from(err, context: "metadata") }
        return nil
    }

    /// Low and high watermark of a partition. Blocking.
    func watermarks(topic: String, partition: Int32, timeoutMilliseconds: Int32) throws(KafkaError) -> (
        low: Int64, high: Int64
    ) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(pointer, topic, partition, &low, &high, timeoutMilliseconds)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError.from(err, context: "watermarks \(topic)") }
        return (low, high)
    }
}

/// A raw pointer that crosses a thread hop exactly once, from the thread that produced it to the one that
/// consumes it. `@unchecked Sendable`: ownership moves with the value; nobody touches it concurrently.
struct TransferredPointer: @unchecked Sendable {
    let pointer: OpaquePointer?
}

enum RDKafkaLog {
    /// Routes a librdkafka log event to swift-log at the matching level (syslog levels 0…7).
    static func forward(_ event: OpaquePointer, logger: Logger) {
        var facility: UnsafePointer<CChar>?
        var text: UnsafePointer<CChar>?
        var level: Int32 = 0
        guard rd_kafka_event_log(event, &facility, &text, &level) == 0 else { return }
        let message = text.map { String(cString: $0) } ?? ""
        let facilityText = facility.map { String(cString: $0) } ?? ""
        let swiftLevel: Logger.Level
        switch level {
        case ...3: swiftLevel = .error
        case 4: swiftLevel = .warning
        case 5, 6: swiftLevel = .info
        default: swiftLevel = .debug
        }
        logger.log(level: swiftLevel, "\(message)", metadata: ["rdkafka.facility": "\(facilityText)"])
    }

    /// Logs an error event; returns the error when librdkafka marks it fatal.
    static func handleError(_ event: OpaquePointer, logger: Logger) -> KafkaError? {
        let err = rd_kafka_event_error(event)
        let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
        if rd_kafka_event_error_is_fatal(event) != 0 {
            logger.critical("fatal Kafka error", metadata: ["error": "\(text)"])
            return KafkaError(code: .fatal, message: text, rdKafkaCode: Int32(err.rawValue))
        }
        // Transport errors are routine while a broker restarts: librdkafka reconnects by itself.
        logger.warning("Kafka client error", metadata: ["error": "\(text)"])
        return nil
    }
}

extension String {
    /// Reads a NUL-terminated error buffer filled in by librdkafka.
    init(errorBuffer: [CChar]) {
        self = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
