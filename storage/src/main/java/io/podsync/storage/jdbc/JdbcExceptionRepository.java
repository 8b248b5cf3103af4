package io.podsync.storage.jdbc;

import io.podsync.storage.ExceptionRepository;
import io.podsync.storage.ExceptionRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

final class JdbcExceptionRepository implements ExceptionRepository {
    private final Sql sql;

    JdbcExceptionRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public boolean openIfAbsent(ExceptionRow e) {
        return sql.update(
                        """
                        INSERT INTO exceptions (exception_id, dedupe_key, kind, status, codes, route_id, stop_id,
                                                driver_id, device_id, idempotency_key, created_at, updated_at,
                                                resolved_at, resolved_by, resolution, note)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)
                        ON CONFLICT (dedupe_key) DO NOTHING
                        """,
                        e.exceptionId(),
                        e.dedupeKey(),
                        e.kind(),
                        e.status(),
                        e.codes(),
                        e.routeId(),
                        e.stopId(),
                        e.driverId(),
                        e.deviceId(),
                        e.idempotencyKey(),
                        e.createdAt(),
                        e.updatedAt())
                == 1;
    }

    @Override
    public int dropStale(String stopId, String kind, Set<String> keep) {
        List<Object> params = new ArrayList<>();
        params.add(stopId);
        params.add(kind);
        params.addAll(keep);
        String notIn = keep.isEmpty() ? "" : " AND dedupe_key NOT IN (" + Sql.marks(keep.size()) + ")";
        return sql.update(
                "DELETE FROM exceptions WHERE stop_id = ? AND kind = ? AND status = 'open'" + notIn, params.toArray());
    }

    @Override
    public Optional<ExceptionRow> find(long exceptionId) {
        return sql.one("SELECT * FROM exceptions WHERE exception_id = ?", JdbcExceptionRepository::row, exceptionId);
    }

    @Override
    public List<ExceptionRow> openForStop(String stopId) {
        return sql.list(
                "SELECT * FROM exceptions WHERE stop_id = ? AND status = 'open' ORDER BY exception_id",
                JdbcExceptionRepository::row,
                stopId);
    }

    @Override
    public List<ExceptionRow> list(String status, String kind, String routeId, Long beforeId, int limit) {
        StringBuilder q = new StringBuilder("SELECT * FROM exceptions WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (status != null) {
            q.append(" AND status = ?");
            params.add(status);
        }
        if (kind != null) {
            q.append(" AND kind = ?");
            params.add(kind);
        }
        if (routeId != null) {
            q.append(" AND route_id = ?");
            params.add(routeId);
        }
        if (beforeId != null) {
            q.append(" AND exception_id < ?");
            params.add(beforeId);
        }
        q.append(" ORDER BY exception_id DESC LIMIT ?");
        params.add(limit);
        return sql.list(q.toString(), JdbcExceptionRepository::row, params.toArray());
    }

    @Override
    public boolean resolve(long exceptionId, String resolvedBy, String resolution, String note, long at) {
        return sql.update("""
                        UPDATE exceptions SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ?,
                            note = ?, updated_at = ?
                        WHERE exception_id = ? AND status = 'open'
                        """, at, resolvedBy, resolution, note, at, exceptionId) == 1;
    }

    @Override
    public boolean resolveByDedupeKey(String dedupeKey, String resolvedBy, String resolution, String note, long at) {
        return sql.update(
                        "UPDATE exceptions SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ?,"
                                + " note = ?, updated_at = ? WHERE dedupe_key = ? AND status = 'open'",
                        at,
                        resolvedBy,
                        resolution,
                        note,
                        at,
                        dedupeKey)
                == 1;
    }

    @Override
    public long countOpen() {
        return sql.one("SELECT COUNT(*) FROM exceptions WHERE status = 'open'", rs -> rs.getLong(1))
                .orElse(0L);
    }

    private static ExceptionRow row(ResultSet rs) throws SQLException {
        return new ExceptionRow(
                rs.getLong("exception_id"),
                rs.getString("dedupe_key"),
                rs.getString("kind"),
                rs.getString("status"),
                rs.getString("codes"),
                rs.getString("route_id"),
                rs.getString("stop_id"),
                rs.getString("driver_id"),
                rs.getString("device_id"),
                rs.getString("idempotency_key"),
                rs.getLong("created_at"),
                rs.getLong("updated_at"),
                Sql.nullableLong(rs, "resolved_at"),
                rs.getString("resolved_by"),
                rs.getString("resolution"),
                rs.getString("note"));
    }
}
