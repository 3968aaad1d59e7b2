-- Taskgate state store. The same migration runs on PostgreSQL and on H2 (MODE=PostgreSQL).
-- JSON is stored as text so that both databases read and write it the same way.
CREATE TABLE task (
    id               UUID                     NOT NULL PRIMARY KEY,
    type             VARCHAR(100)             NOT NULL,
    status           VARCHAR(16)              NOT NULL,
    priority         INT                      NOT NULL DEFAULT 0,
    input            TEXT,
    result           TEXT,
    error_type       VARCHAR(100),
    error_message    TEXT,
    progress_percent INT,
    progress_message VARCHAR(1000),
    checkpoint       TEXT,
    attempts         INT                      NOT NULL DEFAULT 0,
    max_attempts     INT                      NOT NULL,
    cancel_requested BOOLEAN                  NOT NULL DEFAULT FALSE,
    -- lease of the worker that runs the task (database queue and long tasks on every broker)
    lease_owner      VARCHAR(200),
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    -- a PENDING task is not claimed before run_at (retry backoff)
    run_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    version          BIGINT                   NOT NULL DEFAULT 0
);

-- the claim query: pending tasks of one type, highest priority first, oldest first
CREATE INDEX task_claim_idx ON task (type, status, priority, run_at);
-- listing, newest first, with a (created_at, id) cursor
CREATE INDEX task_created_idx ON task (created_at, id);
-- the lease reaper
CREATE INDEX task_lease_idx ON task (status, lease_expires_at);
-- retention
CREATE INDEX task_finished_idx ON task (finished_at);
