-- The transactional outbox towards the ERP: a message is written in the transaction that confirms a stop's outcome,
-- then delivered (and redelivered) by a dispatcher. One row per message and endpoint; partition_key keeps the
-- messages of one stop (and so of its orders) in order.

INSERT INTO counters (name, value) VALUES ('outbox', 0);

-- The correlation id of the push that brought an event, so that it travels on to the ERP.
ALTER TABLE events ADD COLUMN correlation_id VARCHAR(64);

CREATE TABLE outbox (
    outbox_id        BIGINT        PRIMARY KEY,
    message_id       VARCHAR(64)   NOT NULL,
    endpoint         VARCHAR(100)  NOT NULL,
    dedupe_key       VARCHAR(500)  NOT NULL,
    partition_key    VARCHAR(128)  NOT NULL,
    type             VARCHAR(100)  NOT NULL,
    stop_id          VARCHAR(128)  NOT NULL,
    route_id         VARCHAR(128)  NOT NULL,
    supersedes       VARCHAR(64),
    payload_json     TEXT          NOT NULL,
    status           VARCHAR(16)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    next_attempt_at  BIGINT        NOT NULL,
    lease_until      BIGINT,
    last_status      INTEGER,
    last_error       VARCHAR(500),
    created_at       BIGINT        NOT NULL,
    delivered_at     BIGINT
);
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_partition ON outbox (partition_key, endpoint, outbox_id);

CREATE TABLE outbox_attempts (
    outbox_id    BIGINT       NOT NULL,
    attempt      INTEGER      NOT NULL,
    at           BIGINT       NOT NULL,
    status_code  INTEGER      NOT NULL,
    error        VARCHAR(500),
    duration_ms  BIGINT       NOT NULL,
    PRIMARY KEY (outbox_id, at, attempt)
);

-- What was last confirmed to the ERP for each stop: a different outcome later is a correction.
CREATE TABLE stop_confirmations (
    stop_id            VARCHAR(128) PRIMARY KEY,
    outcome_event_key  VARCHAR(128) NOT NULL,
    device_id          VARCHAR(128) NOT NULL,
    outcome            VARCHAR(32)  NOT NULL,
    message_id         VARCHAR(64)  NOT NULL,
    confirmed_at       BIGINT       NOT NULL
);

-- An endpoint that answered 410 Gone is disabled until operations enable it again.
CREATE TABLE erp_endpoints (
    name         VARCHAR(100) PRIMARY KEY,
    disabled_at  BIGINT,
    reason       VARCHAR(500)
);
