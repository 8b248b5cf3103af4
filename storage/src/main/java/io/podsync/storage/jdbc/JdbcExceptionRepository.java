package io.podsync.storage.jdbc;

import io.podsync.storage.ExceptionRepository;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.FindingRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
                        ON CONFLICT DO NOTHING
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
    public Optional<ExceptionRow> findOpen(String dedupeKey) {
        return sql.one(
                "SELECT * FROM exceptions WHERE dedupe_key = ? AND status = 'open'",
                JdbcExceptionRepository::row,
                dedupeKey);
    }

    @Override
    public Set<String> knownFindings(Collection<String> findingKeys) {
        Set<String> out = new HashSet<>();
        for (List<String> chunk : Sql.chunks(new HashSet<>(findingKeys), 500)) {
            out.addAll(sql.list(
                    "SELECT finding_key FROM exception_findings WHERE finding_key IN (" + Sql.marks(chunk.size()) + ")",
                    rs -> rs.getString(1),
                    chunk.toArray()));
        }
        return out;
    }

    @Override
    public void addFindings(List<FindingRow> findings) {
        sql.batch(
                """
                INSERT INTO exception_findings (finding_key, exception_id, device_id, idempotency_key, codes,
                                                stop_version, created_at, cleared_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (finding_key) DO NOTHING
                """,
                findings,
                (ps, f) -> Sql.bind(
                        ps,
                        f.findingKey(),
                        f.exceptionId(),
                        f.deviceId(),
                        f.idempotencyKey(),
                        f.codes(),
                        f.stopVersion(),
                        f.createdAt(),
                        f.clearedAt()));
    }

    @Override
    public Map<Long, List<FindingRow>> findingsOf(Collection<Long> exceptionIds) {
        Map<Long, List<FindingRow>> out = new HashMap<>();
        for (List<Long> chunk : Sql.chunks(new HashSet<>(exceptionIds), 500)) {
            for (FindingRow f : sql.list(
                    "SELECT * FROM exception_findings WHERE exception_id IN (" + Sql.marks(chunk.size()) + ")"
                            + " ORDER BY finding_key",
                    JdbcExceptionRepository::finding,
                    chunk.toArray())) {
                out.computeIfAbsent(f.exceptionId(), k -> new ArrayList<>()).add(f);
            }
        }
        return out;
    }

    @Override
    public Optional<FindingRow> finding(String findingKey) {
        return sql.one(
                "SELECT * FROM exception_findings WHERE finding_key = ?", JdbcExceptionRepository::finding, findingKey);
    }

    @Override
    public void summarize(long exceptionId, String codes, String deviceId, String idempotencyKey, long at) {
        sql.update(
                "UPDATE exceptions SET codes = ?, device_id = ?, idempotency_key = ?, updated_at = ?"
                        + " WHERE exception_id = ? AND status = 'open'",
                codes,
                deviceId,
                idempotencyKey,
                at,
                exceptionId);
    }

    @Override
    public boolean clearFinding(String findingKey, long at) {
        return sql.update(
                        "UPDATE exception_findings SET cleared_at = ? WHERE finding_key = ? AND cleared_at IS NULL",
                        at,
                        findingKey)
                == 1;
    }

    @Override
    public void deleteFindings(long exceptionId, Collection<String> findingKeys) {
        for (List<String> chunk : Sql.chunks(findingKeys, 500)) {
            List<Object> params = new ArrayList<>();
            params.add(exceptionId);
            params.addAll(chunk);
            sql.update(
                    "DELETE FROM exception_findings WHERE exception_id = ? AND finding_key IN ("
                            + Sql.marks(chunk.size()) + ")",
                    params.toArray());
        }
    }

    @Override
    public void delete(long exceptionId) {
        sql.update("DELETE FROM exception_findings WHERE exception_id = ?", exceptionId);
        sql.update("DELETE FROM exceptions WHERE exception_id = ? AND status = 'open'", exceptionId);
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
    public List<ExceptionRow> openOfKind(String kind, long afterId, int limit) {
        return sql.list(
                "SELECT * FROM exceptions WHERE status = 'open' AND kind = ? AND exception_id > ?"
                        + " ORDER BY exception_id LIMIT ?",
                JdbcExceptionRepository::row,
                kind,
                afterId,
                limit);
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
    public boolean resolve(
            long exceptionId, String resolvedBy, String resolution, String note, Long stopVersion, long at) {
        return sql.update("""
                        UPDATE exceptions SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ?,
                            note = ?, stop_version = ?, updated_at = ?
                        WHERE exception_id = ? AND status = 'open'
                        """, at, resolvedBy, resolution, note, stopVersion, at, exceptionId) == 1;
    }

    @Override
    public Optional<Long> bookedVersion(String findingKey) {
        List<Long> rows = sql.list(
                "SELECT x.stop_version FROM exception_findings f JOIN exceptions x ON x.exception_id = f.exception_id"
                        + " WHERE f.finding_key = ? AND x.status = 'resolved'",
                rs -> Sql.nullableLong(rs, 1),
                findingKey);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    @Override
    public long countOpen() {
        return sql.one("SELECT COUNT(*) FROM exceptions WHERE status = 'open'", rs -> rs.getLong(1))
                .orElse(0L);
    }

    static ExceptionRow row(ResultSet rs) throws SQLException {
        return ExceptionRow.builder()
                .exceptionId(rs.getLong("exception_id"))
                .dedupeKey(rs.getString("dedupe_key"))
                .kind(rs.getString("kind"))
                .status(rs.getString("status"))
                .codes(rs.getString("codes"))
                .routeId(rs.getString("route_id"))
                .stopId(rs.getString("stop_id"))
                .driverId(rs.getString("driver_id"))
                .deviceId(rs.getString("device_id"))
                .idempotencyKey(rs.getString("idempotency_key"))
                .createdAt(rs.getLong("created_at"))
                .updatedAt(rs.getLong("updated_at"))
                .resolvedAt(Sql.nullableLong(rs, "resolved_at"))
                .resolvedBy(rs.getString("resolved_by"))
                .resolution(rs.getString("resolution"))
                .note(rs.getString("note"))
                .stopVersion(Sql.nullableLong(rs, "stop_version"))
                .build();
    }

    private static FindingRow finding(ResultSet rs) throws SQLException {
        return new FindingRow(
                rs.getString("finding_key"),
                rs.getLong("exception_id"),
                rs.getString("device_id"),
                rs.getString("idempotency_key"),
                rs.getString("codes"),
                Sql.nullableLong(rs, "stop_version"),
                rs.getLong("created_at"),
                Sql.nullableLong(rs, "cleared_at"));
    }
}
