-- The trace of an order (GET /v1/ops/trace): every way into it is an index, so that it answers in milliseconds on a
-- database of millions of events. The stop, order and artifact indexes came with V10; these are the other keys.

-- By the correlation id of a request: a route release, the ERP messages it caused (a push is found through those).
-- Not on events: an index of the event log by correlation id (random unless the app sends ordered ones) or by
-- idempotency key alone cost pushes about a fifth of their rate (docs/performance.md); an event is found by its key
-- through events_key, device by device.
CREATE INDEX route_versions_correlation ON route_versions (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX outbox_correlation ON outbox (correlation_id) WHERE correlation_id IS NOT NULL;
-- The ERP messages of a route and of its stops (a milestone about the route has stop_id '').
CREATE INDEX outbox_route ON outbox (route_id, stop_id);
-- Exceptions about a route rather than one of its stops (exceptions_stop leads with the stop).
CREATE INDEX exceptions_route ON exceptions (route_id);

-- What people did to the ERP outbox (replay one message, replay the dead, recover an endpoint, enable an endpoint),
-- by whom and when, so that the trace can say why a dead message went out again. Resolutions of exceptions are kept on
-- the exception itself.
INSERT INTO counters (name, value) VALUES ('ops_action', 0);
CREATE TABLE ops_actions (
    action_id   BIGINT       PRIMARY KEY,
    action      VARCHAR(32)  NOT NULL,
    actor       VARCHAR(128) NOT NULL,
    at          BIGINT       NOT NULL,
    outbox_id   BIGINT,
    endpoint    VARCHAR(100),
    since       BIGINT,
    affected    INTEGER      NOT NULL
);
CREATE INDEX ops_actions_outbox ON ops_actions (outbox_id) WHERE outbox_id IS NOT NULL;
CREATE INDEX ops_actions_endpoint ON ops_actions (endpoint, at) WHERE endpoint IS NOT NULL;
