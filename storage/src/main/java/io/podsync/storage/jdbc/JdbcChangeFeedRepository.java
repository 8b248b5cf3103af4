package io.podsync.storage.jdbc;

import io.podsync.storage.ChangeFeedRepository;
import io.podsync.storage.ChangeRow;
import io.podsync.storage.Tx;
import java.util.ArrayList;
import java.util.List;

final class JdbcChangeFeedRepository implements ChangeFeedRepository {
    static final String COUNTER = "change_feed";
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

    @Override
    public List<ChangeRow> since(String audience, long afterSeq, int limit) {
        return sql.list(
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
                limit);
    }

    @Override
    public long head() {
        return sql.one("SELECT value FROM counters WHERE name = ?", rs -> rs.getLong(1), COUNTER)
                .orElse(0L);
    }
}
