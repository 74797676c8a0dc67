import AsyncHTTPClient
import Logging
import PostgresNIO

/// The registry a service uses: Confluent REST when `SCHEMA_REGISTRY_URL` is set, else the embedded one in Postgres;
/// cached either way.
public func makeSchemaRegistry(
    settings: InfrastructureSettings, postgres: PostgresClient, httpClient: HTTPClient, logger: Logger
) -> CachingSchemaRegistry {
    if let url = settings.schemaRegistryURL {
        return CachingSchemaRegistry(ConfluentSchemaRegistry(baseURL: url, httpClient: httpClient))
    }
    return CachingSchemaRegistry(EmbeddedSchemaRegistry(client: postgres, logger: logger))
}
