package io.podsync.storage.jdbc;

import io.podsync.storage.EventRepository;
import io.podsync.storage.EventRow;
import io.podsync.storage.StorageException;
import io.podsync.storage.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

final class JdbcEventRepository implements EventRepository {
    private static final int IN_CHUNK = 500;
    /** Everything but the payload, which folding a stop's state never needs. */
    private static final String FOLD_COLUMNS = "device_id, seq, idempotency_key, driver_id, stop_id, route_id, type,"
            + " attempt, captured_at, corrected_at, received_at, clock_offset_ms, verdict, reason, field, flags,"
            + " fingerprint, feed_seq, expires_at, NULL AS payload_json, correlation_id, stop_version, resolution";

    private final Sql sql;
    private final Tx tx;

    JdbcEventRepository(Sql sql, Tx tx) {
        this.sql = sql;
        this.tx = tx;
    }

    @Override
    public boolean[] insertAll(List<EventRow> events) {
        if (events.isEmpty()) {
            return new boolean[0];
        }
        long position = tx.reserveIds(JdbcChangeFeedRepository.COUNTER, events.size());
        List<EventRow> numbered = new ArrayList<>(events.size());
        for (EventRow e : events) {
            numbered.add(e.withFeedSeq(position++));
        }
        int[] counts = sql.batchCounts(
                """
                INSERT INTO events (device_id, seq, idempotency_key, driver_id, stop_id, route_id, type, attempt,
                                    captured_at, corrected_at, received_at, clock_offset_ms, verdict, reason, field,
                                    flags, fingerprint, feed_seq, expires_at, payload_json, correlation_id,
                                    stop_version, resolution)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """,
                numbered,
                (ps, e) -> Sql.bind(
                        ps,
                        e.deviceId(),
                        e.seq(),
                        e.idempotencyKey(),
                        e.driverId(),
                        e.stopId(),
                        e.routeId(),
                        e.type(),
                        e.attempt(),
                        e.capturedAt(),
                        e.correctedAt(),
                        e.receivedAt(),
                        e.clockOffsetMs(),
                        e.verdict(),
                        e.reason(),
                        e.field(),
                        e.flags(),
                        e.fingerprint(),
                        e.feedSeq(),
                        e.expiresAt(),
                        e.payloadJson(),
                        e.correlationId(),
                        e.stopVersion(),
                        e.resolution()));
        boolean[] stored = new boolean[counts.length];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == Statement.SUCCESS_NO_INFO) {
                // A driver that batches without counts (PostgreSQL's reWriteBatchedInserts) would hide duplicates.
                throw new StorageException("the JDBC driver does not report the rows each insert stored", null, false);
            }
            stored[i] = counts[i] > 0;
        }
        return stored;
    }

    @Override
    public Map<String, EventRow> findByKeys(String deviceId, Collection<String> keys) {
        Map<String, EventRow> out = new HashMap<>();
        for (List<String> chunk : Sql.chunks(new HashSet<>(keys), IN_CHUNK)) {
            List<Object> params = new ArrayList<>();
            params.add(deviceId);
            params.addAll(chunk);
            for (EventRow e : sql.list(
                    "SELECT * FROM events WHERE device_id = ? AND idempotency_key IN (" + Sql.marks(chunk.size()) + ")",
                    JdbcEventRepository::row,
                    params.toArray())) {
                out.put(e.idempotencyKey(), e);
            }
        }
        return out;
    }

    @Override
    public List<EventRow> verdictsSince(String deviceId, long afterSeq, int limit) {
        return sql.list(
                "SELECT * FROM events WHERE device_id = ? AND feed_seq > ? ORDER BY feed_seq LIMIT ?",
                JdbcEventRepository::row,
                deviceId,
                afterSeq,
                limit);
    }

    @Override
    public void markApplied(String deviceId, Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        List<Map.Entry<String, Long>> numbered = newPositions(keys);
        sql.batch(
                "UPDATE events SET verdict = 'APPLIED', feed_seq = ?"
                        + " WHERE device_id = ? AND idempotency_key = ? AND verdict = 'AWAITING_EVIDENCE'",
                numbered,
                (ps, e) -> Sql.bind(ps, e.getValue(), deviceId, e.getKey()));
    }

    @Override
    public void setResolution(String deviceId, Collection<String> keys, String resolution) {
        if (keys.isEmpty()) {
            return;
        }
        List<Map.Entry<String, Long>> numbered = newPositions(keys);
        sql.batch(
                "UPDATE events SET resolution = ?, feed_seq = ? WHERE device_id = ? AND idempotency_key = ?",
                numbered,
                (ps, e) -> Sql.bind(ps, resolution, e.getValue(), deviceId, e.getKey()));
    }

    /** Each key with a fresh change-feed position, so that its device pulls the verdict again. */
    private List<Map.Entry<String, Long>> newPositions(Collection<String> keys) {
        long position = tx.reserveIds(JdbcChangeFeedRepository.COUNTER, keys.size());
        List<Map.Entry<String, Long>> numbered = new ArrayList<>();
        for (String key : keys) {
            numbered.add(Map.entry(key, position++));
        }
        return numbered;
    }

    @Override
    public List<EventRow> awaitingEvidenceBefore(long before, int limit) {
        return sql.list(
                // Events already flagged are skipped, so each pass reaches further instead of re-reading the oldest.
                // The key spelled here is the server's evidence finding key (FindingKeys.evidence): keep them in step.
                "SELECT " + FOLD_COLUMNS + " FROM events e WHERE verdict = 'AWAITING_EVIDENCE' AND received_at < ?"
                        + " AND NOT EXISTS (SELECT 1 FROM exception_findings x WHERE x.finding_key = 'evidence:'"
                        + " || e.device_id || ':' || e.idempotency_key) ORDER BY received_at LIMIT ?",
                JdbcEventRepository::row,
                before,
                limit);
    }

    @Override
    public int purgeExpired(long now, int limit) {
        return sql.update("""
                DELETE FROM events WHERE (device_id, seq) IN (
                    SELECT device_id, seq FROM events WHERE expires_at < ? LIMIT ?)
                """, now, limit);
    }

    @Override
    public long count() {
        return sql.one("SELECT COUNT(*) FROM events", rs -> rs.getLong(1)).orElse(0L);
    }

    static EventRow row(ResultSet rs) throws SQLException {
        return EventRow.builder()
                .deviceId(rs.getString("device_id"))
                .seq(rs.getLong("seq"))
                .idempotencyKey(rs.getString("idempotency_key"))
                .driverId(rs.getString("driver_id"))
                .stopId(rs.getString("stop_id"))
                .routeId(rs.getString("route_id"))
                .type(rs.getString("type"))
                .attempt(rs.getInt("attempt"))
                .capturedAt(Sql.nullableLong(rs, "captured_at"))
                .correctedAt(Sql.nullableLong(rs, "corrected_at"))
                .receivedAt(rs.getLong("received_at"))
                .clockOffsetMs(rs.getLong("clock_offset_ms"))
                .verdict(rs.getString("verdict"))
                .reason(rs.getString("reason"))
                .field(rs.getString("field"))
                .flags(rs.getString("flags"))
                .fingerprint(rs.getString("fingerprint"))
                .feedSeq(rs.getLong("feed_seq"))
                .expiresAt(Sql.nullableLong(rs, "expires_at"))
                .payloadJson(rs.getString("payload_json"))
                .correlationId(rs.getString("correlation_id"))
                .stopVersion(Sql.nullableLong(rs, "stop_version"))
                .resolution(rs.getString("resolution"))
                .build();
    }
}
