-- Evidence: artifacts addressed by SHA-256, resumable uploads staged in the artifact store, and which events reference
-- which artifacts (an event counts only once every artifact it references is stored).

CREATE TABLE artifacts (
    sha256      VARCHAR(64)  PRIMARY KEY,
    size        BIGINT       NOT NULL,
    media_type  VARCHAR(100) NOT NULL,
    kind        VARCHAR(16)  NOT NULL,
    stored_at   BIGINT       NOT NULL
);

CREATE TABLE uploads (
    upload_id      VARCHAR(64)  PRIMARY KEY,
    device_id      VARCHAR(128) NOT NULL,
    driver_id      VARCHAR(128) NOT NULL,
    sha256         VARCHAR(64)  NOT NULL,
    size           BIGINT       NOT NULL,
    media_type     VARCHAR(100) NOT NULL,
    kind           VARCHAR(16)  NOT NULL,
    upload_offset  BIGINT       NOT NULL,
    status         VARCHAR(16)  NOT NULL,
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    expires_at     BIGINT       NOT NULL
);
CREATE INDEX uploads_device ON uploads (device_id, status);
CREATE INDEX uploads_expiry ON uploads (expires_at);

CREATE TABLE upload_segments (
    upload_id    VARCHAR(64)  NOT NULL,
    seg_offset   BIGINT       NOT NULL,
    length       BIGINT       NOT NULL,
    staging_key  VARCHAR(300) NOT NULL,
    sha256       VARCHAR(64)  NOT NULL,
    PRIMARY KEY (upload_id, seg_offset)
);

CREATE TABLE event_evidence (
    device_id        VARCHAR(128) NOT NULL,
    idempotency_key  VARCHAR(128) NOT NULL,
    sha256           VARCHAR(64)  NOT NULL,
    driver_id        VARCHAR(128) NOT NULL,
    PRIMARY KEY (device_id, idempotency_key, sha256)
);
CREATE INDEX event_evidence_sha ON event_evidence (sha256);
CREATE INDEX event_evidence_driver ON event_evidence (driver_id, sha256);
CREATE INDEX events_awaiting ON events (received_at) WHERE verdict = 'AWAITING_EVIDENCE';
