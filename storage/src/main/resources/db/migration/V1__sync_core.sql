-- Portable between SQLite and PostgreSQL: times are epoch milliseconds in BIGINT, booleans are SMALLINT 0/1,
-- decimal quantities are canonical decimal strings, no AUTOINCREMENT/IDENTITY (ids come from the counters table,
-- whose row lock also orders change-feed writes by commit).

CREATE TABLE counters (
    name  VARCHAR(64) PRIMARY KEY,
    value BIGINT      NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_feed', 0);
INSERT INTO counters (name, value) VALUES ('exception', 0);

CREATE TABLE routes (
    route_id      VARCHAR(128) PRIMARY KEY,
    driver_id     VARCHAR(128) NOT NULL,
    vehicle_id    VARCHAR(128),
    service_date  VARCHAR(10)  NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    version       BIGINT       NOT NULL,
    content_hash  VARCHAR(64)  NOT NULL,
    released_at   BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    view_json     TEXT         NOT NULL,
    release_json  TEXT         NOT NULL
);
CREATE INDEX routes_driver ON routes (driver_id);

CREATE TABLE stops (
    stop_id       VARCHAR(128) PRIMARY KEY,
    route_id      VARCHAR(128) NOT NULL,
    driver_id     VARCHAR(128) NOT NULL,
    sequence      INTEGER      NOT NULL,
    lat           DOUBLE PRECISION,
    lon           DOUBLE PRECISION,
    geofence_m    DOUBLE PRECISION,
    status        VARCHAR(16)  NOT NULL,
    version       BIGINT       NOT NULL,
    content_hash  VARCHAR(64)  NOT NULL,
    policy_json   TEXT         NOT NULL,
    view_json     TEXT         NOT NULL,
    released_at   BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL
);
CREATE INDEX stops_route ON stops (route_id);

CREATE TABLE order_lines (
    stop_id      VARCHAR(128) NOT NULL,
    order_id     VARCHAR(128) NOT NULL,
    line_id      VARCHAR(128) NOT NULL,
    sku          VARCHAR(500),
    description  VARCHAR(500),
    quantity     VARCHAR(40)  NOT NULL,
    unit         VARCHAR(500),
    cancelled    SMALLINT     NOT NULL,
    PRIMARY KEY (stop_id, order_id, line_id)
);

-- Every driver who ever held a stop: fencing tells a reassigned driver from a stranger.
CREATE TABLE stop_assignments (
    stop_id        VARCHAR(128) NOT NULL,
    driver_id      VARCHAR(128) NOT NULL,
    assigned_at    BIGINT       NOT NULL,
    unassigned_at  BIGINT,
    PRIMARY KEY (stop_id, driver_id)
);

CREATE TABLE stop_states (
    stop_id     VARCHAR(128) PRIMARY KEY,
    status      VARCHAR(24)  NOT NULL,
    state_json  TEXT         NOT NULL,
    updated_at  BIGINT       NOT NULL
);

CREATE TABLE devices (
    device_id        VARCHAR(128) PRIMARY KEY,
    driver_id        VARCHAR(128) NOT NULL,
    name             VARCHAR(500),
    platform         VARCHAR(500),
    app_version      VARCHAR(500),
    secret_hash      VARCHAR(64)  NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    created_at       BIGINT       NOT NULL,
    last_seen_at     BIGINT,
    clock_offset_ms  BIGINT,
    max_seq          BIGINT       NOT NULL
);
CREATE INDEX devices_driver ON devices (driver_id);

CREATE TABLE enrollment_codes (
    code_hash   VARCHAR(64)  PRIMARY KEY,
    driver_id   VARCHAR(128) NOT NULL,
    created_by  VARCHAR(128) NOT NULL,
    created_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL,
    used_at     BIGINT,
    device_id   VARCHAR(128)
);

-- Every pushed event that carried a usable key and sequence number, with the verdict it got: the append-only event
-- log (applied and reassigned events, kept for good) and the idempotency receipts in one table, so that an event
-- costs one row. A receipt is derived from its row. Rejected rows expire after the published receipt retention.
-- feed_seq comes from the change-feed counter: a device pulls its verdicts through (device_id, feed_seq).
CREATE TABLE events (
    device_id        VARCHAR(128) NOT NULL,
    seq              BIGINT       NOT NULL,
    idempotency_key  VARCHAR(128) NOT NULL,
    driver_id        VARCHAR(128) NOT NULL,
    stop_id          VARCHAR(128),
    route_id         VARCHAR(128),
    type             VARCHAR(32),
    attempt          INTEGER      NOT NULL,
    captured_at      BIGINT,
    corrected_at     BIGINT,
    received_at      BIGINT       NOT NULL,
    clock_offset_ms  BIGINT       NOT NULL,
    verdict          VARCHAR(24)  NOT NULL,
    reason           VARCHAR(64),
    field            VARCHAR(300),
    flags            VARCHAR(1000) NOT NULL,
    fingerprint      VARCHAR(64)  NOT NULL,
    feed_seq         BIGINT       NOT NULL,
    expires_at       BIGINT,
    payload_json     TEXT,
    PRIMARY KEY (device_id, seq)
);
CREATE UNIQUE INDEX events_key ON events (device_id, idempotency_key);
CREATE INDEX events_stop ON events (stop_id);
CREATE INDEX events_feed ON events (device_id, feed_seq);
CREATE INDEX events_expiry ON events (expires_at) WHERE expires_at IS NOT NULL;

-- One row per (audience, entity): a new change replaces the row with a higher seq, so a pull returns each changed
-- entity once and costs what it returns.
CREATE TABLE change_feed (
    audience    VARCHAR(160) NOT NULL,
    kind        VARCHAR(16)  NOT NULL,
    entity_id   VARCHAR(300) NOT NULL,
    seq         BIGINT       NOT NULL,
    deleted     SMALLINT     NOT NULL,
    data_json   TEXT,
    changed_at  BIGINT       NOT NULL,
    PRIMARY KEY (audience, kind, entity_id)
);
CREATE UNIQUE INDEX change_feed_audience_seq ON change_feed (audience, seq);

CREATE TABLE exceptions (
    exception_id     BIGINT       PRIMARY KEY,
    dedupe_key       VARCHAR(500) NOT NULL,
    kind             VARCHAR(40)  NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    codes            VARCHAR(1000) NOT NULL,
    route_id         VARCHAR(128),
    stop_id          VARCHAR(128),
    driver_id        VARCHAR(128),
    device_id        VARCHAR(128),
    idempotency_key  VARCHAR(128),
    created_at       BIGINT       NOT NULL,
    updated_at       BIGINT       NOT NULL,
    resolved_at      BIGINT,
    resolved_by      VARCHAR(128),
    resolution       VARCHAR(40),
    note             VARCHAR(4000)
);
CREATE UNIQUE INDEX exceptions_dedupe ON exceptions (dedupe_key);
CREATE INDEX exceptions_status ON exceptions (status, exception_id);

CREATE TABLE signing_keys (
    kid          VARCHAR(64) PRIMARY KEY,
    jwk_json     TEXT        NOT NULL,
    created_at   BIGINT      NOT NULL,
    retired_at   BIGINT
);

-- Server-wide secrets and settings that every replica must share (cursor MAC key, bootstrap client hashes).
CREATE TABLE settings (
    name   VARCHAR(128) PRIMARY KEY,
    value  TEXT         NOT NULL
);
