import Logging

/// The request being served, carried by the task (and its child tasks) instead of by each logger.
///
/// Every logger that writes while a request is served — the handler's, a service's own, a library's — adds its
/// `request_id` (through ``metadataProvider``, installed by ``Observability/bootstrap(service:level:format:)``), and
/// serving a request costs no logger-metadata copy.
public enum RequestScope {
    @TaskLocal public static var requestID: String?

    /// `request_id` while a request is being served.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let requestID else { return [:] }
        return ["request_id": .string(requestID)]
    }
}
