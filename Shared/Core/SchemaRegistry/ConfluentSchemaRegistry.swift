import AsyncHTTPClient
import AvroKit
import Foundation
import NIOCore
import NIOHTTP1

/// A client for the Confluent schema-registry REST API (Redpanda ships a compatible one).
public struct ConfluentSchemaRegistry: SchemaRegistry {
    private let baseURL: String
    private let httpClient: HTTPClient
    private let timeout: TimeAmount

    public init(baseURL: String, httpClient: HTTPClient, timeout: Duration = .seconds(5)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.httpClient = httpClient
        self.timeout = .milliseconds(Int64(timeout.components.seconds * 1000))
    }

    public func register(subject: String, schemaJSON: String) async throws -> RegisteredSchema {
        let schema: AvroSchema
        do {
            schema = try AvroSchema(json: schemaJSON)
        } catch {
            throw SchemaRegistryError(.invalidSchema, "\(subject): \(error)")
        }
        let body = try JSONSerialization.data(withJSONObject: ["schema": schemaJSON, "schemaType": "AVRO"])
        let object = try await call("POST", "/subjects/\(escape(subject))/versions", body: body)
        guard let id = (object["id"] as? NSNumber)?.int32Value else {
            throw SchemaRegistryError(.unavailable, "register \(subject): no id in answer")
        }
        return RegisteredSchema(id: id, version: (object["version"] as? NSNumber)?.intValue, schema: schema)
    }

    public func latest(subject: String) async throws -> RegisteredSchema {
        let object = try await call("GET", "/subjects/\(escape(subject))/versions/latest", notFound: .subjectNotFound)
        guard let id = (object["id"] as? NSNumber)?.int32Value, let text = object["schema"] as? String else {
            throw SchemaRegistryError(.unavailable, "latest \(subject): unexpected answer")
        }
        return RegisteredSchema(id: id, version: (object["version"] as? NSNumber)?.intValue, schema: try parse(text))
    }

    public func schema(id: Int32) async throws -> AvroSchema {
        let object = try await call("GET", "/schemas/ids/\(id)", notFound: .schemaNotFound)
        guard let text = object["schema"] as? String else {
            throw SchemaRegistryError(.unavailable, "schema \(id): unexpected answer")
        }
        return try parse(text)
    }

    private func parse(_ text: String) throws -> AvroSchema {
        do {
            return try AvroSchema(json: text)
        } catch {
            throw SchemaRegistryError(.invalidSchema, "registry schema does not parse: \(error)")
        }
    }

    private func escape(_ subject: String) -> String {
        subject.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? subject
    }

    private func call(
        _ method: String, _ path: String, body: Data? = nil, notFound: SchemaRegistryError.Code = .schemaNotFound
    ) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/vnd.schemaregistry.v1+json, application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/vnd.schemaregistry.v1+json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: timeout)
        } catch {
            throw SchemaRegistryError(.unavailable, "\(method) \(path): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 4 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
        switch response.status.code {
        case 200..<300: return object
        case 404: throw SchemaRegistryError(notFound, "\(path): \(object["message"] ?? "not found")")
        case 422, 409: throw SchemaRegistryError(.invalidSchema, "\(path): \(object["message"] ?? "rejected")")
        default: throw SchemaRegistryError(.unavailable, "\(method) \(path) answered \(response.status.code)")
        }
    }
}
