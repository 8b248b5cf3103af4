package io.podsync.storage.jdbc;

import io.podsync.storage.ChangeFeedRepository;
import io.podsync.storage.ChangeRow;
import io.podsync.storage.Tx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

final class JdbcChangeFeedRepository implements ChangeFeedRepository {
    static final String COUNTER = "change_feed";
    /** The kind under which a stop's state (a {@code stop_states} row) appears in the feed. */
    static final String STOP_STATE = "stop_state";

    private final Sql sql;
    private final Tx tx;

    JdbcChangeFeedRepository(Sql sql, Tx tx) {
        this.sql = sql;
        this.tx = tx;
    }

    @Override
    public void publish(List<ChangeRow> changes) {
        if (changes.isEmpty()) {
            return;
        }
        long first = tx.reserveIds(COUNTER, changes.size());
        List<ChangeRow> numbered = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            ChangeRow c = changes.get(i);
            numbered.add(new ChangeRow(
                    c.audience(), c.kind(), c.entityId(), first + i, c.deleted(), c.dataJson(), c.changedAt()));
        }
        sql.batch(
                """
                INSERT INTO change_feed (audience, kind, entity_id, seq, deleted, data_json, changed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (audience, kind, entity_id) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted,
                    data_json = excluded.data_json, changed_at = excluded.changed_at
                """,
                numbered,
                (ps, c) -> Sql.bind(
                        ps, c.audience(), c.kind(), c.entityId(), c.seq(), c.deleted(), c.dataJson(), c.changedAt()));
    }

    /**
     * Merges the two tables that make up an audience's feed: {@code change_feed} (routes, stops, tombstones) and the
     * stop states published to it ({@code stop_states}). Each is one index range scan of at most {@code limit} rows.
     */
    @Override
    public List<ChangeRow> since(String audience, long afterSeq, int limit) {
        List<ChangeRow> out = new ArrayList<>(sql.list(
                "SELECT * FROM change_feed WHERE audience = ? AND seq > ? ORDER BY seq LIMIT ?",
                rs -> new ChangeRow(
                        rs.getString("audience"),
                        rs.getString("kind"),
                        rs.getString("entity_id"),
                        rs.getLong("seq"),
                        rs.getInt("deleted") != 0,
                        rs.getString("data_json"),
                        rs.getLong("changed_at")),
                audience,
                afterSeq,
                limit));
        out.addAll(sql.list(
                "SELECT stop_id, seq, state_json, updated_at FROM stop_states WHERE audience = ? AND seq > ?"
                        + " ORDER BY seq LIMIT ?",
                rs -> new ChangeRow(
                        audience, STOP_STATE, rs.getString(1), rs.getLong(2), false, rs.getString(3), rs.getLong(4)),
                audience,
                afterSeq,
                limit));
        out.sort(Comparator.comparingLong(ChangeRow::seq));
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    @Override
    public long head() {
        return sql.one("SELECT value FROM counters WHERE name = ?", rs -> rs.getLong(1), COUNTER)
                .orElse(0L);
    }
}
