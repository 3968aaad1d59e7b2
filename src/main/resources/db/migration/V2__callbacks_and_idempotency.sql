-- Callbacks: the URL is part of the task; a delivery row is written in the same transaction as
-- the task's terminal transition (one terminal event per task, so the task id is the key).
ALTER TABLE task ADD COLUMN callback_url VARCHAR(2048);

CREATE TABLE callback_delivery (
    task_id          UUID                     NOT NULL PRIMARY KEY REFERENCES task (id) ON DELETE CASCADE,
    event_type       VARCHAR(32)              NOT NULL,
    url              VARCHAR(2048)            NOT NULL,
    status           VARCHAR(16)              NOT NULL,
    attempts         INT                      NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_error       VARCHAR(1000),
    -- the api replica sending the current attempt, until claim_expires_at
    claimed_by       VARCHAR(200),
    claim_expires_at TIMESTAMP WITH TIME ZONE,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    delivered_at     TIMESTAMP WITH TIME ZONE
);
CREATE INDEX callback_delivery_due_idx ON callback_delivery (status, next_attempt_at);

-- Idempotency keys: the first request with a key creates the task; the same key and request
-- returns it again; the key with another request is refused.
CREATE TABLE idempotency_key (
    scope        VARCHAR(200)             NOT NULL,
    idem_key     VARCHAR(255)             NOT NULL,
    request_hash VARCHAR(64)              NOT NULL,
    task_id      UUID                     NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_key_expires_idx ON idempotency_key (expires_at);
