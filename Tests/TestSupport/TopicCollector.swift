import AvroKit
import Foundation
import KafkaKit
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import Shared

/// Reads topics from their beginning in the background and keeps every decoded event, so a test can ask what was
/// published (and how often) as a downstream consumer would see it.
public final class TopicCollector: Sendable {
    public struct Event: Sendable {
        public var topic: String
        public var eventID: String?
        public var payload: JSONValue
    }

    private let events = NIOLockedValueBox<[Event]>([])
    private let task: Task<Void, any Error>

    public init(topics: [String]) throws {
        let settings = try TestEnvironment.settings()
        let events = self.events
        task = Task {
            // The topics must exist before subscribing: a subscription to a missing topic is only retried at the next
            // metadata refresh (minutes).
            try await Provisioning.shared.ensure()
            let consumer = try KafkaConsumer(
                configuration: settings.consumerConfiguration(groupID: TestEnvironment.uniqueName("collector"), topics: topics),
                logger: TestEnvironment.logger)
            try await TestEnvironment.withPostgres { client in
                let codec = AvroEventCodec(registry: CachingSchemaRegistry(EmbeddedSchemaRegistry(client: client, logger: TestEnvironment.logger)))
                while !Task.isCancelled {
                    guard case .event(.record(let record)) = try await consumer.poll(timeout: .milliseconds(100)) else { continue }
                    guard let decoded = try? await codec.decode(record) else { continue }
                    events.withLockedValue {
                        $0.append(Event(topic: record.topic, eventID: decoded.eventID, payload: decoded.payload))
                    }
                }
            }
            await consumer.close()
        }
    }

    /// Every event so far on `topic` whose payload satisfies `predicate`.
    public func events(on topic: String, where predicate: (JSONValue) -> Bool = { _ in true }) -> [Event] {
        events.withLockedValue { $0.filter { $0.topic == topic && predicate($0.payload) } }
    }

    /// Waits until `count(topic, predicate)` reaches `expected` (or the timeout); returns the events.
    public func wait(
        for expected: Int, on topic: String, timeout: Duration = .seconds(30), where predicate: @escaping (JSONValue) -> Bool
    ) async throws -> [Event] {
        _ = try await TestEvents.eventually(timeout: timeout, every: .milliseconds(50)) {
            self.events(on: topic, where: predicate).count >= expected
        }
        return events(on: topic, where: predicate)
    }

    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
