package io.podsync.storage.jdbc;

import io.podsync.storage.SlaRepository;
import java.util.List;

final class JdbcSlaRepository implements SlaRepository {
    /** A stop of the outer query has an arrival or an outcome: its state is past pending. */
    private static final String VISITED =
            "EXISTS (SELECT 1 FROM stop_states st WHERE st.stop_id = s.stop_id AND st.status <> 'pending')";

    /**
     * Route {@code r} of the outer query is in progress: a stop has a state (its driver started), and an active stop
     * has no outcome yet.
     */
    private static final String IN_PROGRESS = """
            EXISTS (SELECT 1 FROM stops s JOIN stop_states st ON st.stop_id = s.stop_id WHERE s.route_id = r.route_id)
            AND EXISTS (SELECT 1 FROM stops s LEFT JOIN stop_states st ON st.stop_id = s.stop_id
                        WHERE s.route_id = r.route_id AND s.status = 'active'
                          AND (st.status IS NULL OR st.status IN ('pending', 'arrived', 'reattempt')))""";

    private static final String SILENT = """
            FROM devices d
            JOIN route_pulls p ON p.device_id = d.device_id
            JOIN routes r ON r.route_id = p.route_id AND r.driver_id = d.driver_id AND r.status = 'active'
            WHERE d.status = 'active' AND d.last_seen_at IS NOT NULL
              AND r.service_date >= ? AND r.service_date <= ? AND\s""" + IN_PROGRESS;

    private final Sql sql;

    JdbcSlaRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public List<LateStop> lateStops(long from, long to, String findingPrefix, int limit) {
        return sql.list(
                "SELECT s.stop_id, s.route_id, s.driver_id, s.window_end FROM stops s"
                        + " WHERE s.window_end >= ? AND s.window_end < ? AND s.status = 'active' AND NOT " + VISITED
                        + " AND NOT EXISTS (SELECT 1 FROM exception_findings f WHERE f.finding_key = ? || s.stop_id"
                        + " || ':' || CAST(s.window_end AS VARCHAR(20))) ORDER BY s.window_end LIMIT ?",
                rs -> new LateStop(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)),
                from,
                to,
                findingPrefix,
                limit);
    }

    @Override
    public boolean stillLate(String stopId) {
        return sql.one(
                        "SELECT 1 FROM stops s WHERE s.stop_id = ? AND s.status = 'active' AND NOT " + VISITED,
                        rs -> 1,
                        stopId)
                .isPresent();
    }

    @Override
    public List<UndispatchedRoute> undispatchedRoutes(String fromDate, String toDate, String findingPrefix, int limit) {
        return sql.list(
                "SELECT r.route_id, r.version, r.driver_id, r.service_date FROM routes r"
                        + " WHERE r.service_date >= ? AND r.service_date <= ? AND r.status = 'active'"
                        + " AND NOT EXISTS (SELECT 1 FROM route_pulls p WHERE p.route_id = r.route_id"
                        + " AND p.driver_id = r.driver_id)"
                        + " AND NOT EXISTS (SELECT 1 FROM exception_findings f WHERE f.finding_key = ? || r.route_id"
                        + " || ':' || r.driver_id) ORDER BY r.service_date, r.route_id LIMIT ?",
                rs -> new UndispatchedRoute(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4)),
                fromDate,
                toDate,
                findingPrefix,
                limit);
    }

    @Override
    public boolean stillUndispatched(String routeId) {
        return sql.one(
                        "SELECT 1 FROM routes r WHERE r.route_id = ? AND r.status = 'active' AND NOT EXISTS"
                                + " (SELECT 1 FROM route_pulls p WHERE p.route_id = r.route_id"
                                + " AND p.driver_id = r.driver_id)",
                        rs -> 1,
                        routeId)
                .isPresent();
    }

    @Override
    public List<SilentDevice> silentDevices(
            long before, String fromDate, String toDate, String findingPrefix, int limit) {
        return sql.list(
                "SELECT d.device_id, d.driver_id, MIN(r.route_id), d.last_seen_at " + SILENT
                        + " AND d.last_seen_at < ? AND NOT EXISTS (SELECT 1 FROM exception_findings f"
                        + " WHERE f.finding_key = ? || d.device_id || ':' || CAST(d.last_seen_at AS VARCHAR(20)))"
                        + " GROUP BY d.device_id, d.driver_id, d.last_seen_at ORDER BY d.last_seen_at LIMIT ?",
                rs -> new SilentDevice(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)),
                fromDate,
                toDate,
                before,
                findingPrefix,
                limit);
    }

    @Override
    public boolean stillSilent(String deviceId, long lastSeenAt, String fromDate, String toDate) {
        return sql.one(
                        "SELECT 1 " + SILENT + " AND d.device_id = ? AND d.last_seen_at <= ? LIMIT 1",
                        rs -> 1,
                        fromDate,
                        toDate,
                        deviceId,
                        lastSeenAt)
                .isPresent();
    }
}
