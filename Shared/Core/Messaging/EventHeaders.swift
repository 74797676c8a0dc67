/// Kafka header names every producer sets (ARCHITECTURE.md "Topics and schemas").
public enum EventHeaders {
    public static let eventID = "event-id"
    public static let correlationID = "correlation-id"
    public static let causationID = "causation-id"
    public static let contentType = "content-type"
    public static let traceparent = "traceparent"
    /// Confluent-framed Avro.
    public static let avroContentType = "application/vnd.confluent.avro"
}
