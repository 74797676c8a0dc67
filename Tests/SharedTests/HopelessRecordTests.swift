import AvroKit
import Foundation
import PostgresNIO
import Shared
import Testing
import TestSupport

@Suite("Which failures make a record hopeless")
struct HopelessRecordTests {
    struct Payload: Decodable { var size: Int }
    struct ConnectionLost: Error {}

    @Test("undecodable bytes, invalid events, a missing or broken schema: hopeless, each with its kind")
    func hopeless() throws {
        #expect(HopelessRecord(AvroError(.truncated, "ran out of bytes"))?.kind == "decode")
        #expect(HopelessRecord(InvalidEventError(description: "a direct message needs a recipient_id"))?.kind == "invalid_event")
        #expect(HopelessRecord(SchemaRegistryError(.schemaNotFound, "id 7"))?.kind == "schema")
        #expect(HopelessRecord(SchemaRegistryError(.invalidSchema, "id 7"))?.kind == "schema")
        let error = try #require(Self.decodingError())
        let decoding = try #require(HopelessRecord(error))
        #expect(decoding.kind == "invalid_event" && decoding.reason.hasPrefix("invalid field size"))
        let already = HopelessRecord(reason: "the store refuses", kind: "store_refused")
        #expect(HopelessRecord(already)?.kind == "store_refused")
    }

    @Test("an unavailable registry, a lost connection, cancellation: transient, retried")
    func transient() {
        #expect(HopelessRecord(SchemaRegistryError(.unavailable, "connection refused")) == nil)
        #expect(HopelessRecord(CancellationError()) == nil)
        #expect(HopelessRecord(ConnectionLost()) == nil)
    }

    @Test("inside a transaction: what the code threw and one value Postgres refuses are hopeless; a statement bug is not")
    func insideTransactions() async throws {
        let outcomes = try await TestEnvironment.withPostgres { client in
            func failure(_ body: @escaping @Sendable (PostgresConnection) async throws -> Int) async -> HopelessRecord?? {
                do {
                    _ = try await client.withTransaction(logger: TestEnvironment.logger) { connection in try await body(connection) }
                    return .none
                } catch {
                    return .some(HopelessRecord(error))
                }
            }
            return [
                await failure { _ in throw InvalidEventError(description: "found invalid while applying") as any Error },
                await failure { try await $0.query("SELECT 'not-a-uuid'::uuid", logger: TestEnvironment.logger).collect().count },
                await failure { try await $0.query("SELECT 1 / 0", logger: TestEnvironment.logger).collect().count },
            ]
        }
        #expect(outcomes[0]??.kind == "invalid_event")
        #expect(outcomes[1]??.kind == "database_refused" && outcomes[1]??.reason.contains("22P02") == true)
        // Division by zero is a bug in the statement, the same for every record: retried, not dead-lettered.
        let divisionByZero = outcomes[2]
        #expect(divisionByZero != nil && divisionByZero! == nil, "the statement failed and is not hopeless")
    }

    static func decodingError() -> DecodingError? {
        do {
            _ = try JSONDecoder().decode(Payload.self, from: Data(#"{"size": "big"}"#.utf8))
            return nil
        } catch {
            return error as? DecodingError
        }
    }
}
