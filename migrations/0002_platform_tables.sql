-- Infrastructure tables: the embedded schema registry, consumer offsets kept next to effects, the outbox,
-- and durable saga state with timers.

-- Embedded schema registry with Confluent semantics: a schema (by canonical form) has one global id;
-- a subject has versions 1..n; registering an existing schema under a subject returns the existing version.
CREATE TABLE IF NOT EXISTS schema_registry_schemas (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    canonical_form  text NOT NULL UNIQUE,
    schema_text     text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS schema_registry_subjects (
    subject     text    NOT NULL,
    version     integer NOT NULL CHECK (version >= 1),
    schema_id   integer NOT NULL REFERENCES schema_registry_schemas (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, version),
    CONSTRAINT schema_registry_subject_schema_unique UNIQUE (subject, schema_id)
);

-- Next offset to read per consumer group and partition, written in the same transaction as the effects.
CREATE TABLE IF NOT EXISTS consumer_offsets (
    group_id    text    NOT NULL,
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint  NOT NULL CHECK (next_offset >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, topic, partition)
);

-- Transactional outbox: events are written with the state change and published by a relay afterwards.
CREATE TABLE IF NOT EXISTS outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      uuid   NOT NULL UNIQUE,   -- stable `event-id` header: a re-publish carries the same id
    topic         text   NOT NULL,
    record_key    bytea  NOT NULL,
    value         bytea  NOT NULL,          -- Confluent-framed Avro
    headers       jsonb  NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz DEFAULT NULL
);
CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

-- Keyed saga state: one row per (saga, key), locked while an event or timer for that key is handled.
CREATE TABLE IF NOT EXISTS saga_state (
    saga        text   NOT NULL,
    saga_key    text   NOT NULL,
    state       jsonb  NOT NULL,
    version     bigint NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (saga, saga_key)
);

-- Durable timers: claimed with FOR UPDATE SKIP LOCKED, deleted in the transaction that fires them.
CREATE TABLE IF NOT EXISTS saga_timers (
    saga        text        NOT NULL,
    saga_key    text        NOT NULL,
    timer_name  text        NOT NULL,
    due_at      timestamptz NOT NULL,
    payload     jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (saga, saga_key, timer_name)
);
CREATE INDEX IF NOT EXISTS saga_timers_due_idx ON saga_timers (due_at);
