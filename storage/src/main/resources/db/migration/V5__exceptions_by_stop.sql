-- Folding a stop drops the open contradictions its events no longer show; without this index that looked through
-- every open exception, so a long queue for people slowed down every push.
CREATE INDEX exceptions_stop ON exceptions (stop_id, kind, status);
