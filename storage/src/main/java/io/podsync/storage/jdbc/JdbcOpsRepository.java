package io.podsync.storage.jdbc;

import io.podsync.storage.EventRow;
import io.podsync.storage.OpsRepository;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    public List<EventRow> eventsOfStop(String stopId, EventRow after, int limit) {
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
