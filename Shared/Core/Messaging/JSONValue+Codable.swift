import AvroKit
import Foundation

extension JSONValue {
    /// Decodes a typed event from a decoded Avro payload.
    /// - Throws: `DecodingError` naming the missing or mistyped field.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(jsonBytes()))
    }

    /// The JSON form of a typed event (nil optionals left out, so the schema's defaults apply).
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONValue.parse(Array(data))
    }
}
