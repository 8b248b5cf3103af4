package io.podsync.storage.jdbc;

import io.podsync.storage.ConfirmationRow;
import io.podsync.storage.OutboxAttemptRow;
import io.podsync.storage.OutboxRepository;
import io.podsync.storage.OutboxRow;
import io.podsync.storage.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

final class JdbcOutboxRepository implements OutboxRepository {
    private final Sql sql;
    private final Tx tx;

    JdbcOutboxRepository(Sql sql, Tx tx) {
        this.sql = sql;
        this.tx = tx;
    }

    @Override
    public boolean add(OutboxRow m) {
        if (sql.one("SELECT 1 FROM outbox WHERE dedupe_key = ?", rs -> 1, m.dedupeKey())
                .isPresent()) {
            return false;
        }
        long id = tx.reserveIds("outbox", 1);
        return sql.update(
                        """
                        INSERT INTO outbox (outbox_id, message_id, endpoint, dedupe_key, partition_key, type, stop_id,
                                            route_id, supersedes, payload_json, status, attempts, next_attempt_at,
                                            lease_until, last_status, last_error, created_at, delivered_at,
                                            correlation_id, trace_parent)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, NULL, ?, ?)
                        ON CONFLICT (dedupe_key) DO NOTHING
                        """,
                        id,
                        m.messageId(),
                        m.endpoint(),
                        m.dedupeKey(),
                        m.partitionKey(),
                        m.type(),
                        m.stopId(),
                        m.routeId(),
                        m.supersedes(),
                        m.payloadJson(),
                        m.status(),
                        m.attempts(),
                        m.nextAttemptAt(),
                        m.createdAt(),
                        m.correlationId(),
                        m.traceParent())
                == 1;
    }

    @Override
    public List<OutboxRow> due(long now, int limit) {
        return sql.list("""
                SELECT * FROM outbox m WHERE m.status = 'pending' AND m.next_attempt_at <= ?
                  AND (m.lease_until IS NULL OR m.lease_until < ?)
                  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.partition_key = m.partition_key
                                  AND o.endpoint = m.endpoint AND o.outbox_id < m.outbox_id AND o.status <> 'delivered')
                ORDER BY m.next_attempt_at, m.outbox_id LIMIT ?
                """, JdbcOutboxRepository::row, now, now, limit);
    }

    @Override
    public boolean hasOlderUndelivered(String partitionKey, String endpoint, long outboxId) {
        return sql.one("""
                        SELECT 1 FROM outbox WHERE partition_key = ? AND endpoint = ? AND outbox_id < ?
                          AND status <> 'delivered' LIMIT 1
                        """, rs -> 1, partitionKey, endpoint, outboxId).isPresent();
    }

    @Override
    public boolean claim(long outboxId, long now, long leaseUntil) {
        return sql.update("""
                        UPDATE outbox SET lease_until = ?
                        WHERE outbox_id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)
                        """, leaseUntil, outboxId, now) == 1;
    }

    @Override
    public Set<Long> claimAll(Collection<Long> outboxIds, long now, long leaseUntil) {
        Set<Long> out = new HashSet<>();
        for (List<Long> chunk : Sql.chunks(outboxIds, 100)) {
            List<Object> params = new ArrayList<>(chunk.size() + 2);
            params.add(leaseUntil);
            params.addAll(chunk);
            params.add(now);
            // "status || ''": without it SQLite walks the (status, ...) index over every pending message instead of
            // looking up the ids by primary key.
            out.addAll(sql.list(
                    "UPDATE outbox SET lease_until = ? WHERE outbox_id IN (" + Sql.marks(chunk.size()) + ")"
                            + " AND status || '' = 'pending' AND (lease_until IS NULL OR lease_until < ?)"
                            + " RETURNING outbox_id",
                    rs -> rs.getLong(1),
                    params.toArray()));
        }
        return out;
    }

    @Override
    public void recordAttempts(Collection<OutboxAttemptRow> attempts) {
        sql.batch(
                "INSERT INTO outbox_attempts (outbox_id, attempt, at, status_code, error, duration_ms)"
                        + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (outbox_id, at, attempt) DO NOTHING",
                attempts,
                (ps, a) ->
                        Sql.bind(ps, a.outboxId(), a.attempt(), a.at(), a.statusCode(), a.error(), a.durationMillis()));
    }

    @Override
    public void deliveredAll(Collection<OutboxAttemptRow> successfulAttempts) {
        sql.batch(
                "UPDATE outbox SET status = 'delivered', attempts = ?, last_status = ?, last_error = NULL,"
                        + " delivered_at = ?, lease_until = NULL WHERE outbox_id = ?",
                successfulAttempts,
                (ps, a) -> Sql.bind(ps, a.attempt(), a.statusCode(), a.at() + a.durationMillis(), a.outboxId()));
    }

    @Override
    public void recordAttempt(OutboxAttemptRow a) {
        sql.update("""
                INSERT INTO outbox_attempts (outbox_id, attempt, at, status_code, error, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (outbox_id, at, attempt) DO NOTHING
                """, a.outboxId(), a.attempt(), a.at(), a.statusCode(), a.error(), a.durationMillis());
    }

    @Override
    public void delivered(long outboxId, int attempts, int status, long now) {
        sql.update("""
                UPDATE outbox SET status = 'delivered', attempts = ?, last_status = ?, last_error = NULL,
                    delivered_at = ?, lease_until = NULL
                WHERE outbox_id = ?
                """, attempts, status, now, outboxId);
    }

    @Override
    public void reschedule(long outboxId, int attempts, long nextAttemptAt, Integer status, String error) {
        sql.update("""
                UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ?, lease_until = NULL
                WHERE outbox_id = ?
                """, attempts, nextAttemptAt, status, error, outboxId);
    }

    @Override
    public void setStatus(long outboxId, String status, int attempts, Integer lastStatus, String error) {
        sql.update("""
                UPDATE outbox SET status = ?, attempts = ?, last_status = ?, last_error = ?, lease_until = NULL
                WHERE outbox_id = ?
                """, status, attempts, lastStatus, error, outboxId);
    }

    @Override
    public boolean replay(long outboxId, long now) {
        return sql.update("""
                        UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL
                        WHERE outbox_id = ? AND status IN ('dead', 'held', 'delivered')
                        """, now, outboxId) == 1;
    }

    @Override
    public int recover(String endpoint, long since, long now) {
        return sql.update("""
                        UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL
                        WHERE endpoint = ? AND created_at >= ?
                          AND (status = 'dead'
                               OR (status = 'pending' AND attempts > 0 AND (lease_until IS NULL OR lease_until < ?)))
                        """, now, endpoint, since, now);
    }

    @Override
    public int setStatusOfEndpoint(String endpoint, String from, String to, long now) {
        return sql.update(
                "UPDATE outbox SET status = ?, next_attempt_at = ?, lease_until = NULL WHERE endpoint = ? AND status = ?",
                to,
                now,
                endpoint,
                from);
    }

    @Override
    public Optional<OutboxRow> find(long outboxId) {
        return sql.one("SELECT * FROM outbox WHERE outbox_id = ?", JdbcOutboxRepository::row, outboxId);
    }

    @Override
    public List<OutboxRow> list(String status, Long beforeId, int limit) {
        String where = status == null ? "1 = 1" : "status = ?";
        Object[] params = status == null
                ? new Object[] {beforeId == null ? Long.MAX_VALUE : beforeId, limit}
                : new Object[] {status, beforeId == null ? Long.MAX_VALUE : beforeId, limit};
        return sql.list(
                "SELECT * FROM outbox WHERE " + where + " AND outbox_id < ? ORDER BY outbox_id DESC LIMIT ?",
                JdbcOutboxRepository::row,
                params);
    }

    @Override
    public List<OutboxAttemptRow> attempts(long outboxId) {
        return sql.list(
                "SELECT * FROM outbox_attempts WHERE outbox_id = ? ORDER BY at, attempt",
                JdbcOutboxRepository::attempt,
                outboxId);
    }

    @Override
    public Map<String, Map<String, Long>> counts() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        sql.list("SELECT type, status, COUNT(*) FROM outbox GROUP BY type, status", rs ->
                        new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)})
                .forEach(r ->
                        out.computeIfAbsent((String) r[0], k -> new TreeMap<>()).put((String) r[1], (Long) r[2]));
        return out;
    }

    @Override
    public List<EndpointCount> countsByEndpoint() {
        return sql.list(
                "SELECT endpoint, status, COUNT(*), MIN(created_at) FROM outbox GROUP BY endpoint, status",
                rs -> new EndpointCount(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
    }

    @Override
    public Optional<ConfirmationRow> confirmation(String stopId) {
        return sql.one(
                "SELECT * FROM stop_confirmations WHERE stop_id = ?", JdbcOutboxRepository::confirmation, stopId);
    }

    @Override
    public void confirm(ConfirmationRow c) {
        sql.update(
                """
                INSERT INTO stop_confirmations (stop_id, outcome_event_key, device_id, outcome, message_id, confirmed_at,
                                                final_outcome, first_confirmed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (stop_id) DO UPDATE SET outcome_event_key = excluded.outcome_event_key,
                    device_id = excluded.device_id, outcome = excluded.outcome, message_id = excluded.message_id,
                    confirmed_at = excluded.confirmed_at, final_outcome = excluded.final_outcome
                """,
                c.stopId(),
                c.outcomeEventKey(),
                c.deviceId(),
                c.outcome(),
                c.messageId(),
                c.confirmedAt(),
                c.finalOutcome(),
                c.confirmedAt());
    }

    @Override
    public int stopsNotConfirmed(String routeId) {
        return sql.one(
                        "SELECT COUNT(*) FROM stops s WHERE s.route_id = ? AND s.status = 'active' AND NOT EXISTS"
                                + " (SELECT 1 FROM stop_confirmations c WHERE c.stop_id = s.stop_id"
                                + " AND c.final_outcome = 1)",
                        rs -> rs.getInt(1),
                        routeId)
                .orElse(0);
    }

    @Override
    public List<ConfirmationRow> confirmationsOfRoute(String routeId) {
        return sql.list(
                "SELECT c.* FROM stop_confirmations c JOIN stops s ON s.stop_id = c.stop_id WHERE s.route_id = ?",
                JdbcOutboxRepository::confirmation,
                routeId);
    }

    @Override
    public boolean isDisabled(String endpoint) {
        return sql.one("SELECT 1 FROM erp_endpoints WHERE name = ? AND disabled_at IS NOT NULL", rs -> 1, endpoint)
                .isPresent();
    }

    @Override
    public void disable(String endpoint, String reason, long now) {
        sql.update("""
                INSERT INTO erp_endpoints (name, disabled_at, reason) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET disabled_at = excluded.disabled_at, reason = excluded.reason
                """, endpoint, now, reason);
    }

    @Override
    public void enable(String endpoint) {
        sql.update("UPDATE erp_endpoints SET disabled_at = NULL, reason = NULL WHERE name = ?", endpoint);
    }

    private static ConfirmationRow confirmation(ResultSet rs) throws SQLException {
        return new ConfirmationRow(
                rs.getString("stop_id"),
                rs.getString("outcome_event_key"),
                rs.getString("device_id"),
                rs.getString("outcome"),
                rs.getString("message_id"),
                rs.getLong("confirmed_at"),
                rs.getInt("final_outcome") != 0);
    }

    static OutboxAttemptRow attempt(ResultSet rs) throws SQLException {
        return new OutboxAttemptRow(
                rs.getLong("outbox_id"),
                rs.getInt("attempt"),
                rs.getLong("at"),
                rs.getInt("status_code"),
                rs.getString("error"),
                rs.getLong("duration_ms"));
    }

    static OutboxRow row(ResultSet rs) throws SQLException {
        return OutboxRow.builder()
                .outboxId(rs.getLong("outbox_id"))
                .messageId(rs.getString("message_id"))
                .endpoint(rs.getString("endpoint"))
                .dedupeKey(rs.getString("dedupe_key"))
                .partitionKey(rs.getString("partition_key"))
                .type(rs.getString("type"))
                .stopId(rs.getString("stop_id"))
                .routeId(rs.getString("route_id"))
                .supersedes(rs.getString("supersedes"))
                .payloadJson(rs.getString("payload_json"))
                .status(rs.getString("status"))
                .attempts(rs.getInt("attempts"))
                .nextAttemptAt(rs.getLong("next_attempt_at"))
                .lastStatus(rs.getObject("last_status") == null ? null : rs.getInt("last_status"))
                .lastError(rs.getString("last_error"))
                .createdAt(rs.getLong("created_at"))
                .deliveredAt(Sql.nullableLong(rs, "delivered_at"))
                .correlationId(rs.getString("correlation_id"))
                .traceParent(rs.getString("trace_parent"))
                .build();
    }
}
