import Shared

/// Gateway settings beyond the shared infrastructure ones.
public struct GatewayConfiguration: Sendable {
    /// `GATEWAY_PORT` (default 8080).
    public var port: Int
    /// `ROUTES_FILE` (default `routes.yaml`).
    public var routesFile: String
    /// `WEBHOOK_SECRET`: expected `X-Webhook-Secret` of the database webhooks.
    public var webhookSecret: String?

    public init(environment env: inout EnvironmentReader) {
        port = env.int("GATEWAY_PORT", default: 8080, range: 1...65535)
        routesFile = env.string("ROUTES_FILE", default: "routes.yaml")
        webhookSecret = env.optionalString("WEBHOOK_SECRET")
    }
}
