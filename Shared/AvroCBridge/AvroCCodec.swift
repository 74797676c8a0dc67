internal import CAvro
public import AvroKit
import Synchronization

/// avro-c (the Apache Avro C library, 1.11) as an independent reference codec, used by tests to
/// cross-check AvroKit's encoder and decoder.
///
/// `@unchecked Sendable`: the avro-c schema and value class are immutable after `init`; every
/// call builds its own generic value, and calls are additionally serialised by `lock` because
/// avro-c's error text is per-thread "last error" state that must be read right after a failure.
public final class AvroCCodec: @unchecked Sendable {
    private let schema: avro_schema_t
    private let iface: UnsafeMutablePointer<avro_value_iface_t>
    /// The same schema parsed by AvroKit, walked alongside the C value when encoding.
    private let avroSchema: AvroSchema
    private let lock = Mutex(())

    /// Parses `schemaJSON` with both avro-c and AvroKit.
    public init(schemaJSON: String) throws(AvroCError) {
        do {
            avroSchema = try AvroSchema(json: schemaJSON)
        } catch {
            throw AvroCError(operation: "AvroSchema", message: error.description)
        }
        var parsed: avro_schema_t?
        let utf8 = Array(schemaJSON.utf8) + [0]
        let rc = utf8.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                avro_schema_from_json_length(chars.baseAddress, utf8.count - 1, &parsed)
            }
        }
        guard rc == 0, let parsed else { throw Self.lastError("avro_schema_from_json_length") }
        guard let iface = avro_generic_class_from_schema(parsed) else {
            let error = Self.lastError("avro_generic_class_from_schema")
            avro_schema_decref(parsed)
            throw error
        }
        self.schema = parsed
        self.iface = iface
    }

    deinit {
        cavro_value_iface_decref(iface)
        avro_schema_decref(schema)
    }

    static func lastError(_ operation: String) -> AvroCError {
        let message = avro_strerror().map { String(cString: $0) } ?? "unknown avro-c error"
        return AvroCError(operation: operation, message: message)
    }

    /// Decodes Avro binary with avro-c and renders it with `avro_value_to_json` (one line).
    /// That is Avro's JSON encoding: non-null union values wrapped as `{"branch": value}`,
    /// bytes/fixed as strings of code points 0–255.
    public func decode(_ bytes: [UInt8]) throws(AvroCError) -> String {
        let result: Result<String, AvroCError> = lock.withLock { _ in
            Result { () throws(AvroCError) -> String in
                var value = avro_value_t()
                guard avro_generic_value_new(iface, &value) == 0 else { throw Self.lastError("avro_generic_value_new") }
                defer { avro_value_decref(&value) }
                let rc: Int32 = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        guard let reader = avro_reader_memory(chars.baseAddress, Int64(chars.count)) else { return -1 }
                        defer { avro_reader_free(reader) }
                        return avro_value_read(reader, &value)
                    }
                }
                guard rc == 0 else { throw Self.lastError("avro_value_read") }
                var json: UnsafeMutablePointer<CChar>?
                guard avro_value_to_json(&value, 1, &json) == 0, let json else {
                    throw Self.lastError("avro_value_to_json")
                }
                defer { cavro_free_json(json) }
                return String(cString: json)
            }
        }
        return try result.get()
    }

    /// Encodes a plain JSON value with avro-c, choosing union branches and applying defaults by
    /// the same rules as `AvroEncoder` (with `unknownFields: .reject`), implemented separately.
    public func encode(_ value: JSONValue) throws(AvroCError) -> [UInt8] {
        let result: Result<[UInt8], AvroCError> = lock.withLock { _ in
            Result { () throws(AvroCError) -> [UInt8] in
                var cValue = avro_value_t()
                guard avro_generic_value_new(iface, &cValue) == 0 else { throw Self.lastError("avro_generic_value_new") }
                defer { avro_value_decref(&cValue) }
                try CValueBuilder.fill(&cValue, with: value, as: avroSchema.root, defaultsMode: false)
                var size = 0
                guard avro_value_sizeof(&cValue, &size) == 0 else { throw Self.lastError("avro_value_sizeof") }
                var out = [UInt8](repeating: 0, count: size)
                let rc: Int32 = out.withUnsafeMutableBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        guard let writer = avro_writer_memory(chars.baseAddress, Int64(chars.count)) else { return -1 }
                        defer { avro_writer_free(writer) }
                        return avro_value_write(writer, &cValue)
                    }
                }
                guard rc == 0 else { throw Self.lastError("avro_value_write") }
                return out
            }
        }
        return try result.get()
    }
}
