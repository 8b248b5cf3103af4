package io.podsync.storage.jdbc;

import io.podsync.storage.EventRepository;
import io.podsync.storage.EventRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;

final class JdbcEventRepository implements EventRepository {
    private final Sql sql;

    JdbcEventRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public void insertAll(List<EventRow> events) {
        sql.batch(
                """
                INSERT INTO events (device_id, idempotency_key, seq, driver_id, stop_id, route_id, type, attempt,
                                    captured_at, corrected_at, received_at, clock_offset_ms, verdict, flags,
                                    fingerprint, payload_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (device_id, idempotency_key) DO NOTHING
                """,
                events,
                (ps, e) -> Sql.bind(
                        ps,
                        e.deviceId(),
                        e.idempotencyKey(),
                        e.seq(),
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
                        e.flags(),
                        e.fingerprint(),
                        e.payloadJson()));
    }

    @Override
    public List<EventRow> ofStops(Collection<String> stopIds, String verdict) {
        List<EventRow> out = new ArrayList<>();
        for (List<String> chunk : Sql.chunks(new HashSet<>(stopIds), 500)) {
            List<Object> params = new ArrayList<>(chunk);
            params.add(verdict);
            out.addAll(sql.list(
                    "SELECT * FROM events WHERE stop_id IN (" + Sql.marks(chunk.size()) + ") AND verdict = ?",
                    rs -> new EventRow(
                            rs.getString("device_id"),
                            rs.getString("idempotency_key"),
                            rs.getLong("seq"),
                            rs.getString("driver_id"),
                            rs.getString("stop_id"),
                            rs.getString("route_id"),
                            rs.getString("type"),
                            rs.getInt("attempt"),
                            rs.getLong("captured_at"),
                            rs.getLong("corrected_at"),
                            rs.getLong("received_at"),
                            rs.getLong("clock_offset_ms"),
                            rs.getString("verdict"),
                            rs.getString("flags"),
                            rs.getString("fingerprint"),
                            rs.getString("payload_json")),
                    params.toArray()));
        }
        return out;
    }

    @Override
    public long count() {
        return sql.one("SELECT COUNT(*) FROM events", rs -> rs.getLong(1)).orElse(0L);
    }
}
