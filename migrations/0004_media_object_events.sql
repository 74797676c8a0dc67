-- Object-store events the MediaService has turned into saga events (MediaService).
-- One row per (kind, object key, ETag): a webhook delivered twice, or an object the listing poller sees again after a
-- restart, produces its event once.
CREATE TABLE IF NOT EXISTS media_object_events (
    kind        text        NOT NULL CHECK (kind IN ('upload', 'ready')),
    object_key  text        NOT NULL,
    etag        text        NOT NULL,
    seen_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, object_key, etag)
);

-- Input events a consumer has applied (MediaService): a redelivered input — even one arriving after its batch
-- committed, e.g. re-published upstream with the same `event-id` — is recognised and changes nothing.
CREATE TABLE IF NOT EXISTS processed_events (
    consumer      text        NOT NULL,
    event_id      text        NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
