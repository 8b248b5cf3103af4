-- A stop's state is pulled from its own row instead of from a copy in change_feed: every change of state wrote the
-- same JSON twice and touched five B-trees (stop_states and its key; change_feed, its key and its audience index).
-- Now a state carries the audience it was last published to and its sequence number from the change_feed counter,
-- and a pull reads stop_states_feed beside change_feed_audience_seq.
ALTER TABLE stop_states ADD COLUMN audience VARCHAR(160);
ALTER TABLE stop_states ADD COLUMN seq BIGINT;

UPDATE stop_states
SET audience = (SELECT c.audience FROM change_feed c
                WHERE c.kind = 'stop_state' AND c.entity_id = stop_states.stop_id
                ORDER BY c.seq DESC LIMIT 1),
    seq = (SELECT c.seq FROM change_feed c
           WHERE c.kind = 'stop_state' AND c.entity_id = stop_states.stop_id
           ORDER BY c.seq DESC LIMIT 1);

DELETE FROM change_feed WHERE kind = 'stop_state';

CREATE INDEX stop_states_feed ON stop_states (audience, seq);
