-- The tables users read (reference §7), with the constraints the reference lacks:
-- every row is traceable to the event or cause that produced it, and a redelivered event cannot add a second row.

CREATE TABLE IF NOT EXISTS user_notifications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       text        NOT NULL,
    event_type    text        NOT NULL,               -- {domain}.{entity}, e.g. media.upload_ready
    payload       text        NOT NULL DEFAULT '{}',  -- JSON as text (reference compatibility)
    event_time    text        NOT NULL,
    visibility    text        NOT NULL DEFAULT 'broadcast' CHECK (visibility IN ('broadcast', 'direct', 'private')),
    recipient_id  text        DEFAULT NULL,
    source_event_id text      NOT NULL,               -- the Kafka `event-id` header (or a derived id)
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_notifications_source_event_unique UNIQUE (source_event_id, event_type)
);
-- The visibility rule: own rows, broadcast messages, direct messages to me; read newest-after-id.
CREATE INDEX IF NOT EXISTS user_notifications_user_id_idx ON user_notifications (user_id, id);
CREATE INDEX IF NOT EXISTS user_notifications_recipient_idx ON user_notifications (recipient_id, id)
    WHERE recipient_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS user_notifications_broadcast_idx ON user_notifications (id)
    WHERE event_type = 'user.message' AND visibility = 'broadcast';

-- Wakes the gateway's SSE streams. The payload names who may see the row (the visibility rule), so the gateway
-- wakes only the streams concerned; the stream then reads the rows itself (NOTIFY is a hint, never the data).
CREATE OR REPLACE FUNCTION notify_user_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('user_notifications', json_build_object(
        'id', NEW.id, 'user_id', NEW.user_id, 'recipient_id', NEW.recipient_id,
        'broadcast', NEW.event_type = 'user.message' AND NEW.visibility = 'broadcast')::text);
    RETURN NEW;
END;
$$;
DROP TRIGGER IF EXISTS user_notifications_notify ON user_notifications;
CREATE TRIGGER user_notifications_notify AFTER INSERT ON user_notifications
    FOR EACH ROW EXECUTE FUNCTION notify_user_notification();

-- Credits: an append-only ledger keyed by cause, plus a balance row per user that is updated in the same
-- transaction under a row lock, so concurrent deductions can never take a balance below zero.
CREATE TABLE IF NOT EXISTS credit_ledger (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      text        NOT NULL,
    amount       integer     NOT NULL CHECK (amount <> 0),
    event_type   text        NOT NULL,   -- credit.signup_bonus | credit.upload_deducted | credit.upload_refunded
    description  text        NOT NULL DEFAULT '',
    event_time   text        NOT NULL,
    cause_id     text        NOT NULL,   -- request id / user id that caused it
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_ledger_cause_unique UNIQUE (cause_id, event_type)
);
CREATE INDEX IF NOT EXISTS credit_ledger_user_idx ON credit_ledger (user_id, id);

CREATE TABLE IF NOT EXISTS credit_balances (
    user_id     text        PRIMARY KEY,
    balance     integer     NOT NULL CHECK (balance >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The reference's view, kept for compatibility; credit_balances is the authoritative, locked balance.
CREATE OR REPLACE VIEW user_credit_balances AS
    SELECT user_id, COALESCE(SUM(amount), 0)::bigint AS balance FROM credit_ledger GROUP BY user_id;

CREATE TABLE IF NOT EXISTS media_files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      text        NOT NULL,
    file_name    text        NOT NULL,
    file_path    text        NOT NULL,   -- permanent files/… key
    file_size    bigint      NOT NULL CHECK (file_size >= 0),
    media_type   text        NOT NULL,
    status       text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
    upload_time  text        NOT NULL,
    request_id   text        DEFAULT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz DEFAULT NULL,
    CONSTRAINT media_files_path_unique UNIQUE (file_path)
);
CREATE INDEX IF NOT EXISTS media_files_user_active_idx ON media_files (user_id, id) WHERE status = 'active';
