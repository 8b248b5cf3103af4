-- Offline truth: which manifest an outcome was captured against, when devices pulled what, one exception per stop and
-- kind with its findings attached, and what the milestone stream and the SLA timers read.

-- The earlier versions of every stop as its driver's device saw them (the stop's view), kept so that an outcome is
-- read against the manifest the driver confirmed. The current version is the stops row itself: a stop is copied here
-- only when a new version replaces it, so a stop released once costs nothing more.
CREATE TABLE stop_versions (
    stop_id      VARCHAR(128) NOT NULL,
    version      BIGINT       NOT NULL,
    route_id     VARCHAR(128) NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    view_json    TEXT         NOT NULL,
    released_at  BIGINT       NOT NULL,
    PRIMARY KEY (stop_id, version)
);

-- manifest_since: the first version of the stop with its current orders, address and location (an event captured
-- against an earlier version may assert something that no longer holds). Unknown before this migration: 1.
-- window_end: the end of the stop's time window, for the stop_late timer (null: no end, or released before this).
ALTER TABLE stops ADD COLUMN manifest_since BIGINT NOT NULL DEFAULT 1;
ALTER TABLE stops ADD COLUMN window_end BIGINT;
CREATE INDEX stops_window_end ON stops (window_end);

-- Every version of every route (released, amended, reassigned, cancelled) and when it was written.
CREATE TABLE route_versions (
    route_id     VARCHAR(128) NOT NULL,
    version      BIGINT       NOT NULL,
    driver_id    VARCHAR(128) NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    released_at  BIGINT       NOT NULL,
    PRIMARY KEY (route_id, version)
);
INSERT INTO route_versions (route_id, version, driver_id, status, released_at)
SELECT route_id, version, driver_id, status, updated_at FROM routes;
-- The base URL (scheme, host, port) by which the ERP reached the server when it last released the route: evidence
-- URLs in its messages start with it when no podsync.public-url is configured.
ALTER TABLE routes ADD COLUMN base_url VARCHAR(500);
CREATE INDEX routes_service_date ON routes (service_date, status);

-- When each device first pulled each route and stop version. A route version first pulled by a device of the route's
-- driver is the route's dispatch (the order-to-dispatch moment); the stop versions tell which manifest an app that does
-- not send stopVersion had when it captured an event.
CREATE TABLE route_pulls (
    device_id  VARCHAR(128) NOT NULL,
    route_id   VARCHAR(128) NOT NULL,
    version    BIGINT       NOT NULL,
    driver_id  VARCHAR(128) NOT NULL,
    pulled_at  BIGINT       NOT NULL,
    PRIMARY KEY (device_id, route_id, version)
);
CREATE INDEX route_pulls_route ON route_pulls (route_id, version, driver_id);
CREATE TABLE stop_pulls (
    device_id  VARCHAR(128) NOT NULL,
    stop_id    VARCHAR(128) NOT NULL,
    version    BIGINT       NOT NULL,
    pulled_at  BIGINT       NOT NULL,
    PRIMARY KEY (device_id, stop_id, version)
);

-- The stop version an event was captured against (sent by the app, or derived from its pulls), and how operations
-- resolved the exception the event was attached to (shown to the device in its pulled verdict).
ALTER TABLE events ADD COLUMN stop_version BIGINT;
ALTER TABLE events ADD COLUMN resolution VARCHAR(40);

-- One open exception per subject (a stop, route or device) and kind: dedupe_key names the subject and kind, and only
-- one open exception may hold it. What each finding (an event, an anomaly, a breach) contributed is a row of
-- exception_findings, whose key makes opening idempotent for good, as the exception's dedupe key did before.
-- Exceptions opened before this migration keep their old keys and stay one per finding.
CREATE TABLE exception_findings (
    finding_key      VARCHAR(500)  PRIMARY KEY,
    exception_id     BIGINT        NOT NULL,
    device_id        VARCHAR(128),
    idempotency_key  VARCHAR(128),
    codes            VARCHAR(1000) NOT NULL,
    stop_version     BIGINT,
    created_at       BIGINT        NOT NULL,
    cleared_at       BIGINT
);
CREATE INDEX exception_findings_exception ON exception_findings (exception_id);
INSERT INTO exception_findings (finding_key, exception_id, device_id, idempotency_key, codes, stop_version,
                                created_at, cleared_at)
SELECT dedupe_key, exception_id, device_id, idempotency_key, codes, NULL, created_at, NULL FROM exceptions;
DROP INDEX exceptions_dedupe;
CREATE UNIQUE INDEX exceptions_open ON exceptions (dedupe_key) WHERE status = 'open';
CREATE INDEX exceptions_dedupe ON exceptions (dedupe_key);
-- The manifest version operations chose to book an outcome against when they resolved a manifest_changed exception.
ALTER TABLE exceptions ADD COLUMN stop_version BIGINT;

-- Whether the confirmed outcome is final (a failure that will be re-attempted is sent only as a correction).
ALTER TABLE stop_confirmations ADD COLUMN final_outcome SMALLINT NOT NULL DEFAULT 1;

-- The lowest and highest odometer reading (km) that arrivals and departures of a route reported: its trip distance.
CREATE TABLE route_odometers (
    route_id    VARCHAR(128)     PRIMARY KEY,
    min_km      DOUBLE PRECISION NOT NULL,
    max_km      DOUBLE PRECISION NOT NULL,
    updated_at  BIGINT           NOT NULL
);
