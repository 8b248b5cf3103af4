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
