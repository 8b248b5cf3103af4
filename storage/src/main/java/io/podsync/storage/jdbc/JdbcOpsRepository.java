package io.podsync.storage.jdbc;

import io.podsync.storage.EventRow;
import io.podsync.storage.OpsRepository;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class JdbcOpsRepository implements OpsRepository {
    private final Sql sql;

    JdbcOpsRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Map<String, Long> openExceptionsByKind() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Count c : sql.list(
                "SELECT kind, '', COUNT(*) FROM exceptions WHERE status = 'open' GROUP BY kind ORDER BY kind",
                rs -> new Count(rs.getString(1), null, rs.getInt(3)))) {
            out.put(c.key(), (long) c.count());
        }
        return out;
    }

    @Override
    public List<OutboxBacklog> outboxBacklog() {
        // outbox_due leads with status: delivered messages, nearly all of them, are not read
        return sql.list(
                "SELECT endpoint, status, COUNT(*), MIN(created_at) FROM outbox"
                        + " WHERE status IN ('pending', 'held', 'dead') GROUP BY endpoint, status ORDER BY endpoint, status",
                rs -> new OutboxBacklog(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
    }

    @Override
    public Optional<Long> versionReleasedAt(String routeId, long version) {
        return sql.one(
                "SELECT released_at FROM route_versions WHERE route_id = ? AND version = ?",
                rs -> rs.getLong(1),
                routeId,
                version);
    }

    @Override
    public Optional<Long> firstDispatch(String routeId, String driverId) {
        return sql
                .list(
                        "SELECT MIN(pulled_at) FROM route_pulls WHERE route_id = ? AND driver_id = ?",
                        rs -> Sql.nullableLong(rs, 1),
                        routeId,
                        driverId)
                .stream()
                .filter(java.util.Objects::nonNull) // MIN of no rows is one null
                .findFirst();
    }

    @Override
    public boolean evidenceStored(String deviceId, String idempotencyKey) {
        return sql.one(
                                "SELECT COUNT(*) FROM event_evidence e WHERE e.device_id = ? AND e.idempotency_key = ?"
                                        + " AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.sha256 = e.sha256)",
                                rs -> rs.getLong(1),
                                deviceId,
                                idempotencyKey)
                        .orElse(0L)
                == 0;
    }

    @Override
    public long devicesSilentSince(long before) {
        return sql.one(
                        "SELECT COUNT(*) FROM devices WHERE status = 'active' AND COALESCE(last_seen_at, created_at) < ?",
                        rs -> rs.getLong(1),
                        before)
                .orElse(0L);
    }

    @Override
    public MissingLinks missingLinks() {
        // events_awaiting (partial, by verdict) and route_pulls_route: no scan of the event log
        long awaiting = sql.one("SELECT COUNT(*) FROM events WHERE verdict = 'AWAITING_EVIDENCE'", rs -> rs.getLong(1))
                .orElse(0L);
        long undispatched = sql.one("""
                        SELECT COUNT(*) FROM routes r WHERE r.status = 'active' AND NOT EXISTS (
                            SELECT 1 FROM route_pulls p
                            WHERE p.route_id = r.route_id AND p.version = r.version AND p.driver_id = r.driver_id)
                        """, rs -> rs.getLong(1)).orElse(0L);
        return new MissingLinks(awaiting, undispatched);
    }

    @Override
    public List<Latency> dispatchLatencies(long from, long to, int limit) {
        // route_pulls_at finds the window; route_pulls_route tells whether an earlier pull dispatched the version
        return sql.list("""
                SELECT p.pulled_at, v.released_at FROM route_pulls p
                JOIN route_versions v ON v.route_id = p.route_id AND v.version = p.version
                WHERE p.pulled_at >= ? AND p.pulled_at < ? AND NOT EXISTS (
                    SELECT 1 FROM route_pulls q
                    WHERE q.route_id = p.route_id AND q.version = p.version AND q.driver_id = p.driver_id
                      AND (q.pulled_at < p.pulled_at OR (q.pulled_at = p.pulled_at AND q.device_id < p.device_id)))
                ORDER BY p.pulled_at DESC LIMIT ?
                """, rs -> new Latency(rs.getLong(1), rs.getLong(2)), from, to, limit);
    }

    @Override
    public List<Latency> confirmationLatencies(long from, long to, int limit) {
        return sql.list("""
                SELECT c.first_confirmed_at,
                       (SELECT MIN(p.pulled_at) FROM route_pulls p WHERE p.route_id = s.route_id AND p.driver_id = e.driver_id)
                FROM stop_confirmations c
                JOIN stops s ON s.stop_id = c.stop_id
                JOIN events e ON e.device_id = c.device_id AND e.idempotency_key = c.outcome_event_key
                WHERE c.first_confirmed_at >= ? AND c.first_confirmed_at < ?
                ORDER BY c.first_confirmed_at DESC LIMIT ?
                """, rs -> new Latency(rs.getLong(1), Sql.nullableLong(rs, 2)), from, to, limit);
    }

    @Override
    public List<Acknowledged> acknowledged(Collection<String> types, long from, long to, int limit) {
        List<Object> args = new ArrayList<>(types);
        args.add(from);
        args.add(to);
        args.add(limit);
        return sql.list(
                "SELECT delivered_at, payload_json FROM outbox WHERE type IN ("
                        + String.join(", ", java.util.Collections.nCopies(types.size(), "?"))
                        + ") AND delivered_at >= ? AND delivered_at < ? ORDER BY delivered_at DESC LIMIT ?",
                rs -> new Acknowledged(rs.getLong(1), rs.getString(2)),
                args.toArray());
    }

    @Override
    public List<RouteSummary> routes(String serviceDate, String driverId, String status, String after, int limit) {
        Where w = new Where()
                .and("service_date = ?", serviceDate)
                .and("driver_id = ?", driverId)
                .and("status = ?", status)
                .and("route_id > ?", after);
        return sql.list(
                "SELECT route_id, driver_id, vehicle_id, service_date, status, version, released_at, updated_at"
                        + " FROM routes" + w + " ORDER BY route_id LIMIT ?",
                rs -> new RouteSummary(
                        rs.getString("route_id"),
                        rs.getString("driver_id"),
                        rs.getString("vehicle_id"),
                        rs.getString("service_date"),
                        rs.getString("status"),
                        rs.getLong("version"),
                        rs.getLong("released_at"),
                        rs.getLong("updated_at")),
                w.params(limit));
    }

    @Override
    public Map<String, Map<String, Integer>> stopProgress(Collection<String> routeIds) {
        Map<String, Map<String, Integer>> out = new HashMap<>();
        for (List<String> chunk : Sql.chunks(routeIds, 500)) {
            for (Count c : sql.list(
                    "SELECT s.route_id, COALESCE(t.status, 'pending'), COUNT(*) FROM stops s"
                            + " LEFT JOIN stop_states t ON t.stop_id = s.stop_id"
                            + " WHERE s.route_id IN (" + Sql.marks(chunk.size()) + ") AND s.status = 'active'"
                            + " GROUP BY s.route_id, COALESCE(t.status, 'pending')",
                    rs -> new Count(rs.getString(1), rs.getString(2), rs.getInt(3)),
                    chunk.toArray())) {
                out.computeIfAbsent(c.key(), k -> new LinkedHashMap<>()).put(c.value(), c.count());
            }
        }
        return out;
    }

    @Override
    public List<DeviceSummary> devices(String driverId, String status, String after, int limit) {
        Where w = new Where()
                .and("driver_id = ?", driverId)
                .and("status = ?", status)
                .and("device_id > ?", after);
        List<DeviceSummary> page = sql.list(
                "SELECT * FROM devices" + w + " ORDER BY device_id LIMIT ?",
                rs -> new DeviceSummary(
                        JdbcDeviceRepository.row(rs),
                        rs.getString("protocol_version"),
                        rs.getString("last_error"),
                        Sql.nullableLong(rs, "last_error_at"),
                        0,
                        rs.getString("revoked_by"),
                        Sql.nullableLong(rs, "revoked_at")),
                w.params(limit));
        if (page.isEmpty()) {
            return page;
        }
        // Events still awaiting evidence are few (the partial index events_awaiting holds only them).
        Map<String, Integer> missing = new HashMap<>();
        Object[] ids = page.stream().map(d -> d.device().deviceId()).toArray();
        for (Count c : sql.list(
                "SELECT device_id, '', COUNT(*) FROM events WHERE verdict = 'AWAITING_EVIDENCE' AND device_id IN ("
                        + Sql.marks(ids.length) + ") GROUP BY device_id",
                rs -> new Count(rs.getString(1), null, rs.getInt(3)),
                ids)) {
            missing.put(c.key(), c.count());
        }
        return page.stream()
                .map(d -> new DeviceSummary(
                        d.device(),
                        d.protocolVersion(),
                        d.lastError(),
                        d.lastErrorAt(),
                        missing.getOrDefault(d.device().deviceId(), 0),
                        d.revokedBy(),
                        d.revokedAt()))
                .toList();
    }

    @Override
    public List<EventRow> eventsOfStop(String stopId, EventCursor after, int limit) {
        if (after == null) {
            return sql.list(
                    "SELECT * FROM events WHERE stop_id = ? ORDER BY received_at, device_id, seq LIMIT ?",
                    JdbcEventRepository::row,
                    stopId,
                    limit);
        }
        return sql.list(
                "SELECT * FROM events WHERE stop_id = ? AND (received_at > ? OR (received_at = ? AND (device_id > ?"
                        + " OR (device_id = ? AND seq > ?)))) ORDER BY received_at, device_id, seq LIMIT ?",
                JdbcEventRepository::row,
                stopId,
                after.receivedAt(),
                after.receivedAt(),
                after.deviceId(),
                after.deviceId(),
                after.seq(),
                limit);
    }

    /** A row of a count by one or two keys. */
    private record Count(String key, String value, int count) {}

    /** A WHERE clause of the conditions whose value is given. */
    private static final class Where {
        private final StringBuilder clause = new StringBuilder();
        private final List<Object> params = new ArrayList<>();

        Where and(String condition, Object value) {
            if (value != null) {
                clause.append(clause.isEmpty() ? " WHERE " : " AND ").append(condition);
                params.add(value);
            }
            return this;
        }

        Object[] params(Object... more) {
            List<Object> all = new ArrayList<>(params);
            all.addAll(List.of(more));
            return all.toArray();
        }

        @Override
        public String toString() {
            return clause.toString();
        }
    }
}
