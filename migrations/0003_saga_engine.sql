-- Saga engine bookkeeping (SagaProcessor).
-- `finished`: the saga reached an end (approved/rejected, expired, confirmed, dead-lettered). Its row stays as a
-- tombstone so a late duplicate input changes nothing; the processor deletes finished rows after a retention period.
ALTER TABLE saga_state ADD COLUMN IF NOT EXISTS finished boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS saga_state_open_idx ON saga_state (saga) WHERE NOT finished;
CREATE INDEX IF NOT EXISTS saga_state_finished_idx ON saga_state (updated_at) WHERE finished;
