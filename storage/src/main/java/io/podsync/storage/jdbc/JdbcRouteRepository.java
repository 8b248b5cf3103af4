package io.podsync.storage.jdbc;

import io.podsync.storage.DatabaseKind;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.RouteRepository;
import io.podsync.storage.RouteRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
import io.podsync.storage.StopVersionRow;
import io.podsync.storage.Tx;
import java.math.BigDecimal;
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
import java.util.function.BiConsumer;
import java.util.function.Function;

final class JdbcRouteRepository implements RouteRepository {
    private static final int IN_CHUNK = 500;
    private final Sql sql;
    private final Tx tx;
    private final DatabaseKind kind;
    /** The single SQLite writer's memory of stops, lines and states; null elsewhere. */
    private final WriterCache cache;

    JdbcRouteRepository(Sql sql, Tx tx, DatabaseKind kind, WriterCache cache) {
        this.sql = sql;
        this.tx = tx;
        this.kind = kind;
        this.cache = cache;
    }

    @Override
    public Optional<RouteRow> findRoute(String routeId) {
        return sql.one("SELECT * FROM routes WHERE route_id = ?", JdbcRouteRepository::route, routeId);
    }

    @Override
    public void upsertRoute(RouteRow r) {
        sql.update(
                """
                INSERT INTO routes (route_id, driver_id, vehicle_id, service_date, status, version, content_hash,
                                    released_at, updated_at, view_json, release_json, base_url)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (route_id) DO UPDATE SET driver_id = excluded.driver_id, vehicle_id = excluded.vehicle_id,
                    service_date = excluded.service_date, status = excluded.status, version = excluded.version,
                    content_hash = excluded.content_hash, updated_at = excluded.updated_at,
                    view_json = excluded.view_json, release_json = excluded.release_json, base_url = excluded.base_url
                """,
                r.routeId(),
                r.driverId(),
                r.vehicleId(),
                r.serviceDate(),
                r.status(),
                r.version(),
                r.contentHash(),
                r.releasedAt(),
                r.updatedAt(),
                r.viewJson(),
                r.releaseJson(),
                r.baseUrl());
        sql.update("""
                INSERT INTO route_versions (route_id, version, driver_id, status, released_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (route_id, version) DO NOTHING
                """, r.routeId(), r.version(), r.driverId(), r.status(), r.updatedAt());
    }

    @Override
    public void recordCaller(String routeId, long version, String clientId, String correlationId) {
        sql.update(
                "UPDATE route_versions SET released_by = ?, correlation_id = ? WHERE route_id = ? AND version = ?",
                clientId,
                correlationId,
                routeId,
                version);
    }

    @Override
    public List<StopRow> stopsOfRoute(String routeId) {
        return sql.list(
                "SELECT * FROM stops WHERE route_id = ? ORDER BY sequence, stop_id",
                JdbcRouteRepository::stop,
                routeId);
    }

    @Override
    public Map<String, StopRow> findStops(Collection<String> stopIds) {
        Map<String, StopRow> out = new HashMap<>();
        for (List<String> chunk : Sql.chunks(new HashSet<>(stopIds), IN_CHUNK)) {
            for (StopRow s : sql.list(
                    "SELECT * FROM stops WHERE stop_id IN (" + Sql.marks(chunk.size()) + ")",
                    JdbcRouteRepository::stop,
                    chunk.toArray())) {
                out.put(s.stopId(), s);
            }
        }
        return out;
    }

    @Override
    public void lockRoute(String routeId) {
        if (kind == DatabaseKind.POSTGRESQL) {
            sql.one("SELECT route_id FROM routes WHERE route_id = ? FOR UPDATE", rs -> 1, routeId);
        }
    }

    @Override
    public Map<String, StopRow> lockStops(Collection<String> stopIds) {
        Map<String, StopRow> out = new HashMap<>();
        Collection<String> wanted = cache == null ? stopIds : unknown(stopIds, cache::stop, out::put);
        if (wanted.isEmpty()) {
            return out;
        }
        // The push path needs neither the device view nor anything else large: leave view_json behind.
        String columns = "stop_id, route_id, driver_id, sequence, lat, lon, geofence_m, status, version, content_hash,"
                + " policy_json, NULL AS view_json, released_at, updated_at, manifest_since, window_end";
        String lock = kind == DatabaseKind.POSTGRESQL ? " ORDER BY stop_id FOR UPDATE" : "";
        List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(wanted));
        for (List<String> chunk : Sql.chunks(sorted, IN_CHUNK)) {
            for (StopRow s : sql.list(
                    "SELECT " + columns + " FROM stops WHERE stop_id IN (" + Sql.marks(chunk.size()) + ")" + lock,
                    JdbcRouteRepository::stop,
                    chunk.toArray())) {
                out.put(s.stopId(), s);
                if (cache != null) {
                    cache.stop(s);
                }
            }
        }
        return out;
    }

    @Override
    public void upsertStop(StopRow s) {
        if (cache != null) {
            cache.forgetStop(s.stopId());
        }
        // The version being replaced goes to the history; the current one is the stops row itself.
        sql.update("""
                INSERT INTO stop_versions (stop_id, version, route_id, status, view_json, released_at)
                SELECT stop_id, version, route_id, status, view_json, updated_at FROM stops
                WHERE stop_id = ? AND version <> ?
                ON CONFLICT (stop_id, version) DO NOTHING
                """, s.stopId(), s.version());
        sql.update(
                """
                INSERT INTO stops (stop_id, route_id, driver_id, sequence, lat, lon, geofence_m, status, version,
                                   content_hash, policy_json, view_json, released_at, updated_at, manifest_since,
                                   window_end)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (stop_id) DO UPDATE SET route_id = excluded.route_id, driver_id = excluded.driver_id,
                    sequence = excluded.sequence, lat = excluded.lat, lon = excluded.lon,
                    geofence_m = excluded.geofence_m, status = excluded.status, version = excluded.version,
                    content_hash = excluded.content_hash, policy_json = excluded.policy_json,
                    view_json = excluded.view_json, updated_at = excluded.updated_at,
                    manifest_since = excluded.manifest_since, window_end = excluded.window_end
                """,
                s.stopId(),
                s.routeId(),
                s.driverId(),
                s.sequence(),
                s.lat(),
                s.lon(),
                s.geofenceMeters(),
                s.status(),
                s.version(),
                s.contentHash(),
                s.policyJson(),
                s.viewJson(),
                s.releasedAt(),
                s.updatedAt(),
                s.manifestSince(),
                s.windowEnd());
    }

    @Override
    public Map<Long, StopVersionRow> stopVersions(String stopId, Collection<Long> versions) {
        Map<Long, StopVersionRow> out = new HashMap<>();
        for (List<Long> chunk : Sql.chunks(new HashSet<>(versions), IN_CHUNK)) {
            List<Object> params = new ArrayList<>();
            params.add(stopId);
            params.addAll(chunk);
            for (StopVersionRow v : sql.list(
                    "SELECT stop_id, version, route_id, status, view_json, released_at FROM stop_versions"
                            + " WHERE stop_id = ? AND version IN (" + Sql.marks(chunk.size()) + ")"
                            + " UNION ALL SELECT stop_id, version, route_id, status, view_json, updated_at FROM stops"
                            + " WHERE stop_id = ? AND version IN (" + Sql.marks(chunk.size()) + ")",
                    rs -> new StopVersionRow(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getLong(6)),
                    twice(params))) {
                out.put(v.version(), v);
            }
        }
        return out;
    }

    @Override
    public Optional<Long> versionPulled(String deviceId, String stopId, long at) {
        return highest(
                "SELECT MAX(version) FROM stop_pulls WHERE device_id = ? AND stop_id = ? AND pulled_at <= ?",
                deviceId,
                stopId,
                at);
    }

    @Override
    public Optional<Long> versionReleased(String stopId, long at) {
        return highest(
                "SELECT MAX(v) FROM (SELECT version AS v FROM stop_versions WHERE stop_id = ? AND released_at <= ?"
                        + " UNION ALL SELECT version FROM stops WHERE stop_id = ? AND updated_at <= ?) versions",
                stopId,
                at,
                stopId,
                at);
    }

    /** The parameters of a query that asks the history and the current stops the same. */
    private static Object[] twice(List<Object> params) {
        List<Object> both = new ArrayList<>(params);
        both.addAll(params);
        return both.toArray();
    }

    /** The value of a {@code SELECT MAX(...)}, which is one row holding null when nothing matched. */
    private Optional<Long> highest(String query, Object... params) {
        List<Long> rows = sql.list(query, rs -> Sql.nullableLong(rs, 1), params);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }

    @Override
    public List<Pulled> recordPulls(
            String deviceId, String driverId, List<Pulled> routes, List<Pulled> stops, long at) {
        List<Pulled> dispatched = new ArrayList<>();
        for (Pulled r : routes) {
            boolean first = !dispatched(r.id(), r.version(), driverId);
            int added = sql.update("""
                    INSERT INTO route_pulls (device_id, route_id, version, driver_id, pulled_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (device_id, route_id, version) DO NOTHING
                    """, deviceId, r.id(), r.version(), driverId, at);
            if (first && added == 1) {
                dispatched.add(r);
            }
        }
        sql.batch("""
                INSERT INTO stop_pulls (device_id, stop_id, version, pulled_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (device_id, stop_id, version) DO NOTHING
                """, stops, (ps, s) -> Sql.bind(ps, deviceId, s.id(), s.version(), at));
        return dispatched;
    }

    @Override
    public boolean dispatched(String routeId, long version, String driverId) {
        return sql.one(
                        "SELECT 1 FROM route_pulls WHERE route_id = ? AND version = ? AND driver_id = ? LIMIT 1",
                        rs -> 1,
                        routeId,
                        version,
                        driverId)
                .isPresent();
    }

    @Override
    public void recordOdometer(String routeId, double min, double max, long at) {
        sql.update("""
                INSERT INTO route_odometers (route_id, min_km, max_km, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (route_id) DO UPDATE SET
                    min_km = CASE WHEN excluded.min_km < route_odometers.min_km
                                  THEN excluded.min_km ELSE route_odometers.min_km END,
                    max_km = CASE WHEN excluded.max_km > route_odometers.max_km
                                  THEN excluded.max_km ELSE route_odometers.max_km END,
                    updated_at = excluded.updated_at
                """, routeId, min, max, at);
    }

    @Override
    public Optional<double[]> odometer(String routeId) {
        return sql.one(
                "SELECT min_km, max_km FROM route_odometers WHERE route_id = ?",
                rs -> new double[] {rs.getDouble(1), rs.getDouble(2)},
                routeId);
    }

    @Override
    public void replaceLines(String stopId, List<OrderLineRow> lines) {
        if (cache != null) {
            cache.forgetLines(stopId);
        }
        sql.update("DELETE FROM order_lines WHERE stop_id = ?", stopId);
        sql.batch(
                """
                INSERT INTO order_lines (stop_id, order_id, line_id, sku, description, quantity, unit, cancelled)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                lines,
                (ps, l) -> Sql.bind(
                        ps,
                        stopId,
                        l.orderId(),
                        l.lineId(),
                        l.sku(),
                        l.description(),
                        l.quantity().toPlainString(),
                        l.unit(),
                        l.cancelled()));
    }

    @Override
    public List<OrderLineRow> linesOfStops(Collection<String> stopIds) {
        List<OrderLineRow> out = new ArrayList<>();
        Collection<String> wanted = cache == null
                ? new HashSet<>(stopIds)
                : unknown(stopIds, cache::lines, (id, known) -> out.addAll(known));
        Map<String, List<OrderLineRow>> read = new HashMap<>();
        for (List<String> chunk : Sql.chunks(wanted, IN_CHUNK)) {
            for (OrderLineRow line : sql.list(
                    "SELECT * FROM order_lines WHERE stop_id IN (" + Sql.marks(chunk.size()) + ")",
                    rs -> new OrderLineRow(
                            rs.getString("stop_id"),
                            rs.getString("order_id"),
                            rs.getString("line_id"),
                            rs.getString("sku"),
                            rs.getString("description"),
                            new BigDecimal(rs.getString("quantity")),
                            rs.getString("unit"),
                            rs.getInt("cancelled") != 0),
                    chunk.toArray())) {
                out.add(line);
                read.computeIfAbsent(line.stopId(), k -> new ArrayList<>()).add(line);
            }
        }
        if (cache != null) {
            for (String id : wanted) {
                cache.lines(id, read.getOrDefault(id, List.of()));
            }
        }
        return out;
    }

    @Override
    public void assign(String stopId, String driverId, long at) {
        sql.update("""
                INSERT INTO stop_assignments (stop_id, driver_id, assigned_at, unassigned_at) VALUES (?, ?, ?, NULL)
                ON CONFLICT (stop_id, driver_id) DO UPDATE SET unassigned_at = NULL
                """, stopId, driverId, at);
    }

    @Override
    public void unassign(String stopId, String driverId, long at) {
        sql.update(
                "UPDATE stop_assignments SET unassigned_at = ? WHERE stop_id = ? AND driver_id = ?",
                at,
                stopId,
                driverId);
    }

    @Override
    public Set<String> stopsEverHeld(String driverId, Collection<String> stopIds) {
        Set<String> out = new HashSet<>();
        for (List<String> chunk : Sql.chunks(new HashSet<>(stopIds), IN_CHUNK)) {
            List<Object> params = new ArrayList<>();
            params.add(driverId);
            params.addAll(chunk);
            out.addAll(sql.list(
                    "SELECT stop_id FROM stop_assignments WHERE driver_id = ? AND stop_id IN ("
                            + Sql.marks(chunk.size()) + ")",
                    rs -> rs.getString(1),
                    params.toArray()));
        }
        return out;
    }

    @Override
    public Map<String, StopStateRow> findStates(Collection<String> stopIds) {
        Map<String, StopStateRow> out = new HashMap<>();
        Collection<String> wanted = cache == null
                ? new HashSet<>(stopIds)
                : unknown(stopIds, cache::state, (id, known) -> known.ifPresent(s -> out.put(id, s)));
        Map<String, StopStateRow> read = new HashMap<>();
        for (List<String> chunk : Sql.chunks(wanted, IN_CHUNK)) {
            for (StopStateRow s : sql.list(
                    "SELECT stop_id, audience, status, state_json, updated_at, fold_inputs FROM stop_states"
                            + " WHERE stop_id IN (" + Sql.marks(chunk.size()) + ")",
                    rs -> new StopStateRow(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getLong(5),
                            FoldInputs.decode(rs.getString(1), rs.getString(6))),
                    chunk.toArray())) {
                read.put(s.stopId(), s);
            }
        }
        out.putAll(read);
        if (cache != null) {
            for (String id : wanted) {
                cache.state(id, read.get(id));
            }
        }
        return out;
    }

    @Override
    public void upsertStates(List<StopStateRow> states) {
        if (states.isEmpty()) {
            return;
        }
        // Numbered from the change-feed counter: the row is the state's entry in its audience's feed.
        long seq = tx.reserveIds(JdbcChangeFeedRepository.COUNTER, states.size());
        List<Map.Entry<StopStateRow, Long>> numbered = new ArrayList<>(states.size());
        for (StopStateRow s : states) {
            numbered.add(Map.entry(s, seq++));
        }
        sql.batch(
                """
                INSERT INTO stop_states (stop_id, audience, seq, status, state_json, updated_at, fold_inputs)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (stop_id) DO UPDATE SET audience = excluded.audience, seq = excluded.seq,
                    status = excluded.status, state_json = excluded.state_json, updated_at = excluded.updated_at,
                    fold_inputs = excluded.fold_inputs
                """,
                numbered,
                (ps, e) -> Sql.bind(
                        ps,
                        e.getKey().stopId(),
                        e.getKey().audience(),
                        e.getValue(),
                        e.getKey().status(),
                        e.getKey().stateJson(),
                        e.getKey().updatedAt(),
                        FoldInputs.encode(e.getKey().foldInputs())));
        if (cache != null) {
            for (StopStateRow s : states) {
                cache.state(s.stopId(), s);
            }
        }
    }

    /** Hands what the writer's cache knows of these stops to {@code known}, and returns the ids left to read. */
    private static <V> List<String> unknown(
            Collection<String> stopIds, Function<String, V> cached, BiConsumer<String, V> known) {
        List<String> missing = new ArrayList<>();
        for (String id : new HashSet<>(stopIds)) {
            V v = cached.apply(id);
            if (v == null) {
                missing.add(id);
            } else {
                known.accept(id, v);
            }
        }
        return missing;
    }

    private static RouteRow route(ResultSet rs) throws SQLException {
        return RouteRow.builder()
                .routeId(rs.getString("route_id"))
                .driverId(rs.getString("driver_id"))
                .vehicleId(rs.getString("vehicle_id"))
                .serviceDate(rs.getString("service_date"))
                .status(rs.getString("status"))
                .version(rs.getLong("version"))
                .contentHash(rs.getString("content_hash"))
                .releasedAt(rs.getLong("released_at"))
                .updatedAt(rs.getLong("updated_at"))
                .viewJson(rs.getString("view_json"))
                .releaseJson(rs.getString("release_json"))
                .baseUrl(rs.getString("base_url"))
                .build();
    }

    private static StopRow stop(ResultSet rs) throws SQLException {
        return StopRow.builder()
                .stopId(rs.getString("stop_id"))
                .routeId(rs.getString("route_id"))
                .driverId(rs.getString("driver_id"))
                .sequence(rs.getInt("sequence"))
                .lat(Sql.nullableDouble(rs, "lat"))
                .lon(Sql.nullableDouble(rs, "lon"))
                .geofenceMeters(Sql.nullableDouble(rs, "geofence_m"))
                .status(rs.getString("status"))
                .version(rs.getLong("version"))
                .contentHash(rs.getString("content_hash"))
                .policyJson(rs.getString("policy_json"))
                .viewJson(rs.getString("view_json"))
                .releasedAt(rs.getLong("released_at"))
                .updatedAt(rs.getLong("updated_at"))
                .manifestSince(rs.getLong("manifest_since"))
                .windowEnd(Sql.nullableLong(rs, "window_end"))
                .build();
    }
}
