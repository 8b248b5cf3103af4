-- What operations read about devices (their protocol version and the last error they were answered), and the indexes
-- that the lists and the trace of an order need, so that each answers from an index and not a scan.
ALTER TABLE devices ADD COLUMN protocol_version VARCHAR(16);
ALTER TABLE devices ADD COLUMN last_error VARCHAR(80);
ALTER TABLE devices ADD COLUMN last_error_at BIGINT;

-- A stop's events (the ops list and the trace). Migration 7 dropped this index from the push path's point of view;
-- reading a stop's events needs it back (docs/performance.md says what it costs a push).
CREATE INDEX events_stop ON events (stop_id);
-- The trace by the ERP's order id and by artifact hash.
CREATE INDEX order_lines_order ON order_lines (order_id);
CREATE INDEX uploads_sha ON uploads (sha256);

-- What an ERP message carries besides its body: the correlation id of the request that produced it and that
-- request's W3C trace context, sent as X-Correlation-Id and traceparent.
ALTER TABLE outbox ADD COLUMN correlation_id VARCHAR(64);
ALTER TABLE outbox ADD COLUMN trace_parent VARCHAR(64);

-- Who wrote each route version and the correlation id of that request (the ERP's own, when it sent one): the trace of
-- an order starts there.
ALTER TABLE route_versions ADD COLUMN released_by VARCHAR(128);
ALTER TABLE route_versions ADD COLUMN correlation_id VARCHAR(64);

-- The latencies operations chart (GET /v1/ops/latencies) read the moments the histograms measure, by the moment each
-- latency ended: a route version's first pull (its dispatch), a stop's first confirmation to the ERP, and the ERP's
-- acknowledgement of a message. Each is found by an index. confirmed_at moves with a correction; first_confirmed_at
-- stays (before this migration only the last one is known).
ALTER TABLE stop_confirmations ADD COLUMN first_confirmed_at BIGINT;
UPDATE stop_confirmations SET first_confirmed_at = confirmed_at;
CREATE INDEX stop_confirmations_first ON stop_confirmations (first_confirmed_at);
CREATE INDEX route_pulls_at ON route_pulls (pulled_at);
CREATE INDEX outbox_delivered ON outbox (delivered_at);
