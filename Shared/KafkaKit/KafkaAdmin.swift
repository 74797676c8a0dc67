internal import CRdKafka
import Dispatch
import Logging

/// A topic to create.
public struct KafkaTopicSpecification: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int32

    public init(name: String, partitions: Int32 = 1, replicationFactor: Int32 = 1) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }
}

/// Topic administration over the Kafka protocol (CreateTopics), so it works against any compatible broker.
public final class KafkaAdmin: Sendable {
    private let handle: RDKafkaHandle
    private let logger: Logger

    public init(client: KafkaClientConfiguration, logger: Logger) throws(KafkaError) {
        self.logger = logger
        self.handle = try RDKafkaHandle(
            type: RD_KAFKA_PRODUCER,
            properties: client.properties + client.additionalProperties.sorted { $0.key < $1.key },
            events: 0, forwardLogs: false)
    }

    /// Outcome per topic.
    public enum CreateOutcome: Sendable, Hashable {
        case created
        case alreadyExists
    }

    /// Creates the topics; an existing topic is not an error (idempotent provisioning).
    /// - Throws: `KafkaError` for the first topic that failed for another reason, or when the broker did not answer.
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration = .seconds(15))
        async throws(KafkaError) -> [String: CreateOutcome]
    {
        guard !topics.isEmpty else { return [:] }
        let handle = self.handle
        let millis = timeout.cMilliseconds
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<[String: CreateOutcome], KafkaError>, Never>) in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.createTopicsBlocking(handle.pointer, topics, millis))
            }
        }
        return try result.get()
    }

    /// Proves a broker answers.
    public func checkBrokers(timeout: Duration = .seconds(2)) async throws(KafkaError) {
        let handle = self.handle
        let millis = timeout.cMilliseconds
        let error = await withCheckedContinuation { (continuation: CheckedContinuation<KafkaError?, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: handle.checkBrokers(timeoutMilliseconds: millis)) }
        }
        if let error { throw error }
    }

    /// Low and high watermark of a partition.
    public func watermarks(topic: String, partition: Int32 = 0) async throws(KafkaError) -> (low: Int64, high: Int64) {
        let handle = self.handle
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<(low: Int64, high: Int64), KafkaError>, Never>) in
            DispatchQueue.global().async {
                do throws(KafkaError) {
                    continuation.resume(returning: .success(try handle.watermarks(topic: topic, partition: partition, timeoutMilliseconds: 5_000)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private static func createTopicsBlocking(
        _ rk: OpaquePointer, _ topics: [KafkaTopicSpecification], _ timeoutMilliseconds: Int32
    ) -> Result<[String: CreateOutcome], KafkaError> {
        var errorBuffer = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for topic in topics {
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    topic.name, topic.partitions, topic.replicationFactor, &errorBuffer, errorBuffer.count)
            else {
                return .failure(KafkaError(code: .configuration, message: "\(topic.name): \(String(errorBuffer: errorBuffer))"))
            }
            newTopics.append(newTopic)
        }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &errorBuffer, errorBuffer.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errorBuffer, errorBuffer.count)
        let queue = rd_kafka_queue_new(rk)
        defer { rd_kafka_queue_destroy(queue) }
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(rk, buffer.baseAddress, buffer.count, options, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds + 1_000) else {
            return .failure(KafkaError(code: .timedOut, message: "CreateTopics did not answer"))
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR { return .failure(KafkaError.from(eventError, context: "CreateTopics")) }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            return .failure(KafkaError(code: .other, message: "CreateTopics: unexpected event"))
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return .success([:]) }
        var outcomes: [String: CreateOutcome] = [:]
        for index in 0..<count {
            let topicResult = results[index]
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let err = rd_kafka_topic_result_error(topicResult)
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR: outcomes[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcomes[name] = .alreadyExists
            default:
                let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
                return .failure(KafkaError.from(err, context: "create \(name): \(text)"))
            }
        }
        return .success(outcomes)
    }
}
