internal import CRdKafka

/// Enqueues one record with `rd_kafka_produceva` (the variadic `producev` is not callable from Swift).
///
/// Every byte is handed over with `RD_KAFKA_MSG_F_COPY`, so nothing has to outlive this call; headers are
/// always copied by librdkafka. The integer `opaque` comes back in the delivery report.
func rdKafkaEnqueue(_ rk: OpaquePointer, _ record: KafkaProducerRecord, opaque: UInt) -> rd_kafka_resp_err_t {
    // One arena holds the NUL-terminated header names followed by their values, so a single
    // withUnsafeBytes scope covers every pointer the vu array refers to.
    var arena: [UInt8] = []
    var layout: [(nameOffset: Int, valueOffset: Int, valueSize: Int)] = []
    layout.reserveCapacity(record.headers.count)
    for header in record.headers {
        let nameOffset = arena.count
        arena.append(contentsOf: header.key.utf8)
        arena.append(0)
        let valueOffset = arena.count
        if let value = header.value { arena.append(contentsOf: value) }
        layout.append((nameOffset, valueOffset, header.value.map { $0.count } ?? -1))
    }

    return record.topic.withCString { topic in
        record.value.withUnsafeBytes { value in
            arena.withUnsafeBytes { arenaBytes in
                withOptionalBytes(record.key) { key in
                    var vus: [rd_kafka_vu_t] = []
                    vus.reserveCapacity(6 + layout.count)
                    var vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_TOPIC
                    vu.u.cstr = topic
                    vus.append(vu)

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    vu.u.i = RD_KAFKA_MSG_F_COPY
                    vus.append(vu)

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_VALUE
                    vu.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    vu.u.mem.size = value.count
                    vus.append(vu)

                    if let key {
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_KEY
                        vu.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        vu.u.mem.size = key.count
                        vus.append(vu)
                    }
                    if let partition = record.partition {
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_PARTITION
                        vu.u.i32 = partition
                        vus.append(vu)
                    }
                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_OPAQUE
                    vu.u.ptr = UnsafeMutableRawPointer(bitPattern: opaque)
                    vus.append(vu)

                    let base = arenaBytes.baseAddress
                    for entry in layout {
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_HEADER
                        vu.u.header.name = base.map {
                            ($0 + entry.nameOffset).assumingMemoryBound(to: CChar.self)
                        }
                        vu.u.header.val = entry.valueSize < 0 ? nil : base.map { UnsafeRawPointer($0 + entry.valueOffset) }
                        vu.u.header.size = entry.valueSize
                        vus.append(vu)
                    }

                    guard let error = rd_kafka_produceva(rk, vus, vus.count) else { return RD_KAFKA_RESP_ERR_NO_ERROR }
                    let code = rd_kafka_error_code(error)
                    rd_kafka_error_destroy(error)
                    return code
                }
            }
        }
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
