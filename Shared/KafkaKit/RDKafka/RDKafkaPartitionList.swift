internal import CRdKafka

/// Conversions between librdkafka's `rd_kafka_topic_partition_list_t` and Swift values.
enum RDKafkaPartitionList {
    /// Copies a C list into Swift, with each entry's offset.
    static func read(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [(KafkaTopicPartition, Int64)] {
        let count = Int(list.pointee.cnt)
        var result: [(KafkaTopicPartition, Int64)] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let element = list.pointee.elems[index]
            result.append(
                (KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition), element.offset))
        }
        return result
    }

    /// Builds a C list; the caller destroys it with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ entries: [(KafkaTopicPartition, Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))!
        for (partition, offset) in entries {
            let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!
            element.pointee.offset = offset
        }
        return list
    }
}

/// Offsets that mean "no explicit position": librdkafka then uses the group's committed offset, or
/// `auto.offset.reset` when there is none.
let rdKafkaOffsetInvalid = Int64(RD_KAFKA_OFFSET_INVALID)
