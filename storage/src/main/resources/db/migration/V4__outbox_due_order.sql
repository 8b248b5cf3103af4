-- The dispatcher takes due messages in (next_attempt_at, outbox_id) order. With the old (status, next_attempt_at)
-- index every pass sorted all due messages to find the first few hundred: a pass cost grew with the backlog.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, outbox_id);
