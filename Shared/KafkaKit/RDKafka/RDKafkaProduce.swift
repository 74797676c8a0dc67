internal import CRdKafka

/// Enqueues one record with `rd_kafka_produceva` (the variadic `producev` is not callable from Swift).
///
/// Every byte is handed over with `RD_KAFKA_MSG_F_COPY`, so nothing has to outlive this call; headers are
/// always copied by librdkafka. The integer `opaque` comes back in the delivery report. The argument list and
/// the NUL-terminated header names live in temporary (stack) storage: this runs once per produced record.
func rdKafkaEnqueue(_ rk: OpaquePointer, _ record: KafkaProducerRecord, opaque: UInt) -> rd_kafka_resp_err_t {
    // One arena holds the NUL-terminated header names followed by their values, so a single scope covers every
    // pointer the argument list refers to.
    var arenaSize = 0
    for header in record.headers { arenaSize += header.key.utf8.count + 1 + (header.value?.count ?? 0) }
    return withUnsafeTemporaryAllocation(byteCount: max(arenaSize, 1), alignment: 1) { arena in
        withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6 + record.headers.count) { vus in
            var count = 0
            func add(_ vu: rd_kafka_vu_t) {
                vus[count] = vu
                count += 1
            }
            var offset = 0
            for header in record.headers {
                let name = arena.baseAddress! + offset
                UnsafeMutableRawBufferPointer(rebasing: arena[offset...]).copyBytes(from: header.key.utf8)
                offset += header.key.utf8.count
                arena[offset] = 0
                offset += 1
                var vu = rd_kafka_vu_t()
                vu.vtype = RD_KAFKA_VTYPE_HEADER
                vu.u.header.name = UnsafePointer(name.assumingMemoryBound(to: CChar.self))
                if let value = header.value {
                    vu.u.header.val = UnsafeRawPointer(arena.baseAddress! + offset)
                    vu.u.header.size = value.count
                    UnsafeMutableRawBufferPointer(rebasing: arena[offset...]).copyBytes(from: value)
                    offset += value.count
                } else {
                    vu.u.header.val = nil
                    vu.u.header.size = -1
                }
                add(vu)
            }
            return record.topic.withCString { topic in
                record.value.withUnsafeBytes { value in
                    withOptionalBytes(record.key) { key in
                        var vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_TOPIC
                        vu.u.cstr = topic
                        add(vu)

                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                        vu.u.i = RD_KAFKA_MSG_F_COPY
                        add(vu)

                        add(memory(RD_KAFKA_VTYPE_VALUE, value))
                        if let key { add(memory(RD_KAFKA_VTYPE_KEY, key)) }
                        if let partition = record.partition {
                            vu = rd_kafka_vu_t()
                            vu.vtype = RD_KAFKA_VTYPE_PARTITION
                            vu.u.i32 = partition
                            add(vu)
                        }
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_OPAQUE
                        vu.u.ptr = UnsafeMutableRawPointer(bitPattern: opaque)
                        add(vu)

                        guard let error = rd_kafka_produceva(rk, vus.baseAddress, count) else { return RD_KAFKA_RESP_ERR_NO_ERROR }
                        let code = rd_kafka_error_code(error)
                        rd_kafka_error_destroy(error)
                        return code
                    }
                }
            }
        }
    }
}

/// A value or key argument: bytes librdkafka copies.
private func memory(_ type: rd_kafka_vtype_t, _ bytes: UnsafeRawBufferPointer) -> rd_kafka_vu_t {
    var vu = rd_kafka_vu_t()
    vu.vtype = type
    vu.u.mem.ptr = UnsafeMutableRawPointer(mutating: bytes.baseAddress)
    vu.u.mem.size = bytes.count
    return vu
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
