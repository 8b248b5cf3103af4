package io.podsync.storage.jdbc;

import io.podsync.storage.ArtifactRow;
import io.podsync.storage.EventRow;
import io.podsync.storage.EvidenceLinkRow;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.OutboxAttemptRow;
import io.podsync.storage.OutboxRow;
import io.podsync.storage.TraceRepository;
import io.podsync.storage.UploadRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The trace's queries. Each names the index it relies on; TraceQueryPlanTest asks SQLite for the plans and fails on a
 * scan of a table that grows with traffic.
 */
final class JdbcTraceRepository implements TraceRepository {
    private static final int IN_CHUNK = 500;

    private final Sql sql;
    private final JdbcTx tx;

    JdbcTraceRepository(Sql sql, JdbcTx tx) {
        this.sql = sql;
        this.tx = tx;
    }

    @Override
    public Set<String> stopsOfOrder(String orderId, int limit) {
        return strings(
                "SELECT DISTINCT stop_id FROM order_lines WHERE order_id = ? LIMIT ?",
                orderId,
                limit); // order_lines_order
    }

    @Override
    public Set<String> stopsOfRoute(String routeId, int limit) {
        return strings("SELECT stop_id FROM stops WHERE route_id = ? LIMIT ?", routeId, limit); // stops_route
    }

    @Override
    public Map<String, String> routesOfStops(Collection<String> stopIds) {
        Map<String, String> out = new LinkedHashMap<>();
        for (List<String> chunk : Sql.chunks(stopIds, IN_CHUNK)) {
            sql.list(
                            "SELECT stop_id, route_id FROM stops WHERE stop_id IN (" + Sql.marks(chunk.size()) + ")",
                            rs -> Map.entry(rs.getString(1), rs.getString(2)),
                            chunk.toArray())
                    .forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    @Override
    public Set<String> routesOfCorrelation(String correlationId, int limit) {
        return strings( // route_versions_correlation
                "SELECT DISTINCT route_id FROM route_versions WHERE correlation_id = ? LIMIT ?", correlationId, limit);
    }

    @Override
    public Map<String, String> messagesOfCorrelation(String correlationId, int limit) {
        Map<String, String> out = new LinkedHashMap<>();
        sql.list( // outbox_correlation
                        "SELECT DISTINCT stop_id, route_id FROM outbox WHERE correlation_id = ? LIMIT ?",
                        rs -> Map.entry(rs.getString(1), rs.getString(2)),
                        correlationId,
                        limit)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public Set<String> stopsOfEventKey(String idempotencyKey, int limit) {
        // events_key, once per device: the key alone has no index (it would slow every push), and the devices are few
        return strings(
                // CROSS JOIN: SQLite keeps the devices as the outer loop (its planner may otherwise scan the event log)
                "SELECT DISTINCT e.stop_id FROM devices d CROSS JOIN events e"
                        + " WHERE e.device_id = d.device_id AND e.idempotency_key = ? AND e.stop_id IS NOT NULL"
                        + " LIMIT ?",
                idempotencyKey,
                limit);
    }

    @Override
    public Set<String> stopsOfArtifact(String sha256, int limit) {
        return strings( // event_evidence_sha, then events_key
                "SELECT DISTINCT e.stop_id FROM event_evidence x JOIN events e"
                        + " ON e.device_id = x.device_id AND e.idempotency_key = x.idempotency_key"
                        + " WHERE x.sha256 = ? AND e.stop_id IS NOT NULL LIMIT ?",
                sha256,
                limit);
    }

    @Override
    public List<RouteVersion> routeVersions(Collection<String> routeIds, int limit) {
        return chunked( // the primary key (route_id, version)
                routeIds,
                in -> "SELECT * FROM route_versions WHERE route_id IN (" + in
                        + ") ORDER BY released_at, version LIMIT ?",
                rs -> new RouteVersion(
                        rs.getString("route_id"),
                        rs.getLong("version"),
                        rs.getString("driver_id"),
                        rs.getString("status"),
                        rs.getLong("released_at"),
                        rs.getString("released_by"),
                        rs.getString("correlation_id")),
                Comparator.comparingLong(RouteVersion::releasedAt).thenComparingLong(RouteVersion::version),
                limit);
    }

    @Override
    public List<RoutePull> routePulls(Collection<String> routeIds, int limit) {
        return chunked( // route_pulls_route
                routeIds,
                in -> "SELECT * FROM route_pulls WHERE route_id IN (" + in + ") ORDER BY pulled_at LIMIT ?",
                rs -> new RoutePull(
                        rs.getString("device_id"),
                        rs.getString("route_id"),
                        rs.getLong("version"),
                        rs.getString("driver_id"),
                        rs.getLong("pulled_at")),
                Comparator.comparingLong(RoutePull::pulledAt),
                limit);
    }

    @Override
    public List<EventRow> events(Collection<String> stopIds, int limit) {
        return chunked( // events_stop
                stopIds,
                in -> "SELECT * FROM events WHERE stop_id IN (" + in + ") ORDER BY received_at, device_id, seq LIMIT ?",
                JdbcEventRepository::row,
                Comparator.comparingLong(EventRow::receivedAt)
                        .thenComparing(EventRow::deviceId)
                        .thenComparingLong(EventRow::seq),
                limit);
    }

    @Override
    public List<EvidenceLinkRow> evidenceOfStops(Collection<String> stopIds, int limit) {
        return chunked( // events_stop, then the primary key of event_evidence
                stopIds,
                in -> "SELECT x.* FROM events e JOIN event_evidence x"
                        + " ON x.device_id = e.device_id AND x.idempotency_key = e.idempotency_key"
                        + " WHERE e.stop_id IN (" + in + ") LIMIT ?",
                rs -> new EvidenceLinkRow(
                        rs.getString("device_id"),
                        rs.getString("idempotency_key"),
                        rs.getString("sha256"),
                        rs.getString("driver_id")),
                null,
                limit);
    }

    @Override
    public List<ArtifactRow> artifacts(Collection<String> sha256s) {
        return chunked( // the primary key
                sha256s,
                in -> "SELECT * FROM artifacts WHERE sha256 IN (" + in + ") LIMIT ?",
                JdbcEvidenceRepository::artifact,
                null,
                sha256s.size());
    }

    @Override
    public List<UploadRow> uploads(Collection<String> sha256s, int limit) {
        return chunked( // uploads_sha
                sha256s,
                in -> "SELECT * FROM uploads WHERE sha256 IN (" + in + ") ORDER BY created_at LIMIT ?",
                JdbcEvidenceRepository::upload,
                Comparator.comparingLong(UploadRow::createdAt),
                limit);
    }

    @Override
    public List<ExceptionRow> exceptions(Collection<String> stopIds, Collection<String> routeIds, int limit) {
        Comparator<ExceptionRow> order =
                Comparator.comparingLong(ExceptionRow::createdAt).thenComparingLong(ExceptionRow::exceptionId);
        List<ExceptionRow> out = new ArrayList<>(
                chunked( // exceptions_stop
                        stopIds,
                        in -> "SELECT * FROM exceptions WHERE stop_id IN (" + in + ") ORDER BY created_at LIMIT ?",
                        JdbcExceptionRepository::row,
                        order,
                        limit));
        out.addAll(
                chunked( // exceptions_route
                        routeIds,
                        in -> "SELECT * FROM exceptions WHERE route_id IN (" + in + ") AND stop_id IS NULL"
                                + " ORDER BY created_at LIMIT ?",
                        JdbcExceptionRepository::row,
                        order,
                        limit));
        return first(out, order, limit);
    }

    @Override
    public List<OutboxRow> outbox(Map<String, String> routeOf, Collection<String> routeIds, int limit) {
        // outbox_route (route_id, stop_id): the stops of each route, and the route's own messages (stop_id '')
        Map<String, List<String>> byRoute = new LinkedHashMap<>();
        routeIds.forEach(r -> byRoute.put(r, new ArrayList<>(List.of(""))));
        routeOf.forEach((stop, route) ->
                byRoute.computeIfAbsent(route, r -> new ArrayList<>()).add(stop));
        Comparator<OutboxRow> order =
                Comparator.comparingLong(OutboxRow::createdAt).thenComparingLong(OutboxRow::outboxId);
        List<OutboxRow> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> r : byRoute.entrySet()) {
            for (List<String> chunk : Sql.chunks(r.getValue(), IN_CHUNK)) {
                List<Object> params = new ArrayList<>();
                params.add(r.getKey());
                params.addAll(chunk);
                params.add(limit);
                out.addAll(sql.list(
                        "SELECT * FROM outbox WHERE route_id = ? AND stop_id IN (" + Sql.marks(chunk.size())
                                + ") ORDER BY created_at, outbox_id LIMIT ?",
                        JdbcOutboxRepository::row,
                        params.toArray()));
            }
        }
        return first(out, order, limit);
    }

    @Override
    public List<OutboxAttemptRow> attempts(Collection<Long> outboxIds, int limit) {
        return chunked( // the primary key (outbox_id, at, attempt)
                outboxIds,
                in -> "SELECT * FROM outbox_attempts WHERE outbox_id IN (" + in + ") ORDER BY at, attempt LIMIT ?",
                JdbcOutboxRepository::attempt,
                Comparator.comparingLong(OutboxAttemptRow::at).thenComparingInt(OutboxAttemptRow::attempt),
                limit);
    }

    @Override
    public List<OpsAction> actions(Collection<Long> outboxIds, Collection<String> endpoints, long since, int limit) {
        Comparator<OpsAction> order = Comparator.comparingLong(OpsAction::at).thenComparingLong(OpsAction::actionId);
        List<OpsAction> out = new ArrayList<>(
                chunked( // ops_actions_outbox
                        outboxIds,
                        in -> "SELECT * FROM ops_actions WHERE outbox_id IN (" + in + ") ORDER BY at LIMIT ?",
                        JdbcTraceRepository::action,
                        order,
                        limit));
        for (String endpoint : endpoints) {
            out.addAll(sql.list( // ops_actions_endpoint
                    "SELECT * FROM ops_actions WHERE endpoint = ? AND at >= ? ORDER BY at LIMIT ?",
                    JdbcTraceRepository::action,
                    endpoint,
                    since,
                    limit));
        }
        return first(out, order, limit);
    }

    @Override
    public void recordAction(
            String action, String actor, long at, Long outboxId, String endpoint, Long since, int affected) {
        long id = tx.reserveIds("ops_action", 1);
        sql.update(
                "INSERT INTO ops_actions (action_id, action, actor, at, outbox_id, endpoint, since, affected)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                action,
                actor,
                at,
                outboxId,
                endpoint,
                since,
                affected);
    }

    private static OpsAction action(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new OpsAction(
                rs.getLong("action_id"),
                rs.getString("action"),
                rs.getString("actor"),
                rs.getLong("at"),
                Sql.nullableLong(rs, "outbox_id"),
                rs.getString("endpoint"),
                Sql.nullableLong(rs, "since"),
                rs.getInt("affected"));
    }

    private Set<String> strings(String query, Object... params) {
        return new LinkedHashSet<>(sql.list(query, rs -> rs.getString(1), params));
    }

    /**
     * One query per chunk of {@code keys} ({@code in} is its placeholders, the last parameter the limit), the rows put
     * back in {@code order} (null: as they came) and cut at {@code limit}.
     */
    private <K, T> List<T> chunked(
            Collection<K> keys,
            Function<String, String> query,
            Sql.RowMapper<T> mapper,
            Comparator<T> order,
            int limit) {
        List<T> out = new ArrayList<>();
        for (List<K> chunk : Sql.chunks(new LinkedHashSet<>(keys), IN_CHUNK)) {
            Object[] params = new Object[chunk.size() + 1];
            for (int i = 0; i < chunk.size(); i++) {
                params[i] = chunk.get(i);
            }
            params[chunk.size()] = limit;
            out.addAll(sql.list(query.apply(Sql.marks(chunk.size())), mapper, params));
        }
        return order == null ? (out.size() > limit ? out.subList(0, limit) : out) : first(out, order, limit);
    }

    private static <T> List<T> first(List<T> rows, Comparator<T> order, int limit) {
        List<T> sorted = new ArrayList<>(rows);
        sorted.sort(order);
        return sorted.size() > limit ? new ArrayList<>(sorted.subList(0, limit)) : sorted;
    }
}
