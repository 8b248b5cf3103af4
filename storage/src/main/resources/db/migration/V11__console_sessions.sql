-- Signed-in people of the operations console (/ops/). The browser holds a random session id in an HttpOnly cookie;
-- the database keeps only its SHA-256, so a copy of the database signs nobody in. Shared by every replica, so a
-- sign-out on one is a sign-out everywhere.
CREATE TABLE console_sessions (
    session_hash VARCHAR(64) PRIMARY KEY,
    client_id    VARCHAR(128) NOT NULL,
    csrf_token   VARCHAR(64) NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_seen ON console_sessions (last_seen_at);
