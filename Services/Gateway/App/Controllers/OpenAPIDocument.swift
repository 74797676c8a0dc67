import HTTPTypes
import Hummingbird
import NIOCore

/// The OpenAPI 3.1 description of the gateway, served at `/openapi.yaml`. `GatewayOpenAPITests` proves it lists
/// exactly the endpoints the router serves.
enum OpenAPIDocument {
    static func register(on router: EndpointRouter) {
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(string: yaml)))
        }
    }

    static let yaml = """
        openapi: 3.1.0
        info:
          title: Event Substrate Gateway
          version: 1.0.0
          description: |
            Authenticated ingress for browser events and database webhooks, media saga intents, and each user's
            notifications. Every error has the shape {"error": {"code", "message", "details", "request_id"}}.
            Accepted writes (202) are acknowledged by the broker before the response is sent. A path below asked
            with a method it does not list gets 405 method_not_allowed with an Allow header.
        servers:
          - url: http://127.0.0.1:8080
        components:
          securitySchemes:
            bearer: {type: http, scheme: bearer, bearerFormat: JWT}
            webhookSecret: {type: apiKey, in: header, name: X-Webhook-Secret}
          parameters:
            Route: {name: route, in: path, required: true, schema: {type: string}, description: "route key from routes.yaml (case-insensitive)"}
            IdempotencyKey: {name: Idempotency-Key, in: header, required: false, schema: {type: string, maxLength: 255}, description: "replays the first response for 24 h"}
            RequestID: {name: X-Request-ID, in: header, required: false, schema: {type: string, maxLength: 128}}
            After: {name: after, in: query, required: false, schema: {type: integer, minimum: 0}}
            Limit: {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 500, default: 50}}
          schemas:
            Error:
              type: object
              required: [error]
              properties:
                error:
                  type: object
                  required: [code, message]
                  properties:
                    code: {type: string, examples: [schema_violation, unknown_route, rate_limited, broker_unavailable]}
                    message: {type: string}
                    details: {}
                    request_id: {type: [string, "null"]}
            Accepted:
              type: object
              required: [event_id, topic, partition, offset]
              properties:
                event_id: {type: string, format: uuid}
                topic: {type: string}
                partition: {type: integer}
                offset: {type: integer}
            IntentAccepted:
              allOf:
                - $ref: '#/components/schemas/Accepted'
                - type: object
                  required: [request_id]
                  properties: {request_id: {type: string, format: uuid}}
            BatchResult:
              type: object
              properties:
                accepted: {type: integer}
                rejected: {type: integer}
                results: {type: array, items: {type: object}}
            Notification:
              type: object
              properties:
                id: {type: integer}
                user_id: {type: string}
                event_type: {type: string}
                payload: {}
                event_time: {type: string}
                visibility: {type: string}
                recipient_id: {type: [string, "null"]}
                created_at: {type: string, format: date-time}
          responses:
            Error: {description: error, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
        paths:
          /api/v1/events/{route}:
            post:
              summary: Publish one event to the route's topic
              security: [{bearer: []}]
              parameters: [{$ref: '#/components/parameters/Route'}, {$ref: '#/components/parameters/IdempotencyKey'}, {$ref: '#/components/parameters/RequestID'}]
              requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
              responses:
                '202': {description: acknowledged by the broker, content: {application/json: {schema: {$ref: '#/components/schemas/Accepted'}}}}
                '400': {$ref: '#/components/responses/Error'}
                '401': {$ref: '#/components/responses/Error'}
                '403': {$ref: '#/components/responses/Error'}
                '404': {$ref: '#/components/responses/Error'}
                '409': {$ref: '#/components/responses/Error'}
                '413': {$ref: '#/components/responses/Error'}
                '415': {$ref: '#/components/responses/Error'}
                '422': {$ref: '#/components/responses/Error'}
                '429': {$ref: '#/components/responses/Error'}
                '503': {$ref: '#/components/responses/Error'}
          /api/v1/events/{route}/batch:
            post:
              summary: Publish many events (a JSON array, or {"events":[...]}) with per-event results
              security: [{bearer: []}]
              parameters: [{$ref: '#/components/parameters/Route'}, {$ref: '#/components/parameters/IdempotencyKey'}]
              requestBody: {required: true, content: {application/json: {schema: {oneOf: [{type: array}, {type: object}]}}}}
              responses:
                '202': {description: all accepted, content: {application/json: {schema: {$ref: '#/components/schemas/BatchResult'}}}}
                '207': {description: some accepted, content: {application/json: {schema: {$ref: '#/components/schemas/BatchResult'}}}}
                '400': {$ref: '#/components/responses/Error'}
                '401': {$ref: '#/components/responses/Error'}
                '413': {$ref: '#/components/responses/Error'}
                '422': {description: 'none accepted, every event invalid (batch_rejected; details.results has each event''s result)', content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
                '429': {$ref: '#/components/responses/Error'}
                '503': {description: 'none accepted, the broker unavailable (Retry-After; details.results has each event''s result)', content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
          /webhooks/{route}:
            post:
              summary: Server-to-server events (Postgres pg_net triggers)
              security: [{webhookSecret: []}]
              parameters: [{$ref: '#/components/parameters/Route'}, {$ref: '#/components/parameters/IdempotencyKey'}]
              requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
              responses:
                '202': {description: acknowledged by the broker, content: {application/json: {schema: {$ref: '#/components/schemas/Accepted'}}}}
                '401': {$ref: '#/components/responses/Error'}
                '404': {$ref: '#/components/responses/Error'}
                '422': {$ref: '#/components/responses/Error'}
                '503': {$ref: '#/components/responses/Error'}
          /api/v1/media/upload-intent:
            post:
              summary: Ask to upload a file (costs one credit if approved)
              security: [{bearer: []}]
              parameters: [{$ref: '#/components/parameters/IdempotencyKey'}]
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [file_name, media_type, file_size]
                      properties:
                        file_name: {type: string, maxLength: 255}
                        media_type: {type: string, enum: [image/jpeg, image/png, image/gif, image/webp, video/mp4, video/webm, audio/mpeg, audio/wav, audio/ogg]}
                        file_size: {type: integer, minimum: 1}
              responses:
                '202': {description: intent accepted, content: {application/json: {schema: {$ref: '#/components/schemas/IntentAccepted'}}}}
                '400': {$ref: '#/components/responses/Error'}
                '401': {$ref: '#/components/responses/Error'}
                '422': {$ref: '#/components/responses/Error'}
                '503': {$ref: '#/components/responses/Error'}
          /api/v1/media/download-intent:
            post:
              summary: Ask for a download URL of one of your files
              security: [{bearer: []}]
              requestBody: {required: true, content: {application/json: {schema: {type: object, required: [file_path], properties: {file_path: {type: string}}}}}}
              responses:
                '202': {description: intent accepted, content: {application/json: {schema: {$ref: '#/components/schemas/IntentAccepted'}}}}
                '400': {$ref: '#/components/responses/Error'}
                '401': {$ref: '#/components/responses/Error'}
          /api/v1/media/delete-intent:
            post:
              summary: Ask to delete one of your files
              security: [{bearer: []}]
              requestBody: {required: true, content: {application/json: {schema: {type: object, required: [file_path], properties: {file_path: {type: string}}}}}}
              responses:
                '202': {description: intent accepted, content: {application/json: {schema: {$ref: '#/components/schemas/IntentAccepted'}}}}
                '400': {$ref: '#/components/responses/Error'}
                '401': {$ref: '#/components/responses/Error'}
          /api/v1/credits:
            get:
              summary: Your credit balance
              security: [{bearer: []}]
              responses:
                '200': {description: balance, content: {application/json: {schema: {type: object, properties: {user_id: {type: string}, balance: {type: integer}}}}}}
                '401': {$ref: '#/components/responses/Error'}
          /api/v1/media/files:
            get:
              summary: Your active files, by id
              security: [{bearer: []}]
              parameters: [{$ref: '#/components/parameters/After'}, {$ref: '#/components/parameters/Limit'}]
              responses:
                '200': {description: a page, content: {application/json: {schema: {type: object, properties: {files: {type: array}, next_after: {type: [integer, "null"]}}}}}}
                '401': {$ref: '#/components/responses/Error'}
          /api/v1/notifications:
            get:
              summary: Your notifications (own rows, broadcast messages, direct messages to you), by id
              description: Pages after an id (?after=&limit=), or the newest rows (?latest=, oldest first) a client shows before it streams after the last one.
              security: [{bearer: []}]
              parameters:
                - {$ref: '#/components/parameters/After'}
                - {$ref: '#/components/parameters/Limit'}
                - {name: latest, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 500}}
              responses:
                '200': {description: a page, content: {application/json: {schema: {type: object, properties: {notifications: {type: array, items: {$ref: '#/components/schemas/Notification'}}, next_after: {type: [integer, "null"]}}}}}}
                '400': {$ref: '#/components/responses/Error'}
                '401': {$ref: '#/components/responses/Error'}
          /api/v1/notifications/stream:
            get:
              summary: Server-Sent Events of your notifications; resumes after Last-Event-ID (or ?after=)
              description: The token may also be passed as ?access_token= for EventSource. Heartbeat comments keep the connection open.
              security: [{bearer: []}]
              parameters:
                - {name: Last-Event-ID, in: header, required: false, schema: {type: integer}}
                - {$ref: '#/components/parameters/After'}
                - {name: access_token, in: query, required: false, schema: {type: string}}
              responses:
                '200': {description: event stream, content: {text/event-stream: {schema: {type: string}}}}
                '401': {$ref: '#/components/responses/Error'}
          /health/live:
            get:
              summary: Liveness
              responses: {'200': {description: alive}}
          /health/ready:
            get:
              summary: Readiness of broker, Postgres and Redis (503 while not ready or draining)
              responses: {'200': {description: ready}, '503': {description: not ready}}
          /metrics:
            get:
              summary: Prometheus metrics
              responses: {'200': {description: metrics, content: {text/plain: {schema: {type: string}}}}}
          /openapi.yaml:
            get:
              summary: This document
              responses: {'200': {description: the OpenAPI document, content: {application/yaml: {schema: {type: string}}}}}
        """
}
