internal import CRdKafka

/// An error from the Kafka client: a stable ``Code`` to branch on, plus librdkafka's own text for humans.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a small open set of codes (struct-with-statics so new codes do not break callers).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public var description: String { raw }

        /// A configuration property was rejected by librdkafka.
        public static let configuration = Code("configuration")
        /// The local producer queue is full; retry later (backpressure).
        public static let queueFull = Code("queue_full")
        /// The message could not be delivered within `message.timeout.ms`.
        public static let messageTimedOut = Code("message_timed_out")
        /// No broker could be reached.
        public static let brokerUnavailable = Code("broker_unavailable")
        /// The topic or partition does not exist.
        public static let unknownTopic = Code("unknown_topic")
        /// The client has been shut down.
        public static let shutdown = Code("shutdown")
        /// An operation did not finish in time.
        public static let timedOut = Code("timed_out")
        /// The producer or consumer hit a fatal (non-recoverable) error.
        public static let fatal = Code("fatal")
        /// Message too large for the broker or client limits.
        public static let messageTooLarge = Code("message_too_large")
        /// Any other librdkafka error; see ``KafkaError/message``.
        public static let other = Code("kafka_error")
    }

    public let code: Code
    /// librdkafka's explanation (or ours).
    public let message: String
    /// librdkafka's `rd_kafka_resp_err_t` value, when the error came from librdkafka.
    public let rdKafkaCode: Int32?

    public init(code: Code, message: String, rdKafkaCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.rdKafkaCode = rdKafkaCode
    }

    public var description: String { "KafkaError(\(code)): \(message)" }

    /// True for conditions that a later retry may overcome (broker down, queue full, timeouts).
    public var isTransient: Bool {
        [.queueFull, .messageTimedOut, .brokerUnavailable, .timedOut].contains(code)
    }

    static func from(_ err: rd_kafka_resp_err_t, context: String? = nil) -> KafkaError {
        let text = String(cString: rd_kafka_err2str(err))
        let message = context.map { "\($0): \(text)" } ?? text
        let code: Code
        switch err {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL: code = .queueFull
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT: code = .messageTimedOut
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE:
            code = .brokerUnavailable
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
            RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            code = .unknownTopic
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT: code = .timedOut
        case RD_KAFKA_RESP_ERR__FATAL: code = .fatal
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE: code = .messageTooLarge
        default: code = .other
        }
        return KafkaError(code: code, message: message, rdKafkaCode: Int32(err.rawValue))
    }

    static let shutdownError = KafkaError(code: .shutdown, message: "the Kafka client is shut down")
}
