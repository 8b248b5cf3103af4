package io.podsync.server.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.DevicePage;
import io.podsync.protocol.DeviceSummary;
import io.podsync.protocol.EventType;
import io.podsync.protocol.LatencyKind;
import io.podsync.protocol.LatencySeries;
import io.podsync.protocol.LatencyWindow;
import io.podsync.protocol.Limits;
import io.podsync.protocol.RoutePage;
import io.podsync.protocol.RouteSummary;
import io.podsync.protocol.StoredEvent;
import io.podsync.protocol.StoredEventPage;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.Violation;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.Query;
import io.podsync.storage.EventRow;
import io.podsync.storage.OpsRepository;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operations' read side: routes (service date, driver, status, progress), devices (to find a lost phone's id, or a
 * stuck app), a stop's events with their verdicts, and the business latencies of the last hour or day. Ops scope;
 * every list is paged by key, and every read refuses a parameter it does not take.
 */
public final class OpsService implements HttpService {
    private static final int DEFAULT_LIMIT = 100;
    private static final Set<String> ROUTE_STATUSES = Set.of("active", "cancelled");
    private static final Set<String> DEVICE_STATUSES = Set.of("active", "revoked");

    private static final Set<String> LATENCY_KINDS = wires(LatencyKind.values(), LatencyKind::wire);
    private static final Set<String> LATENCY_WINDOWS = wires(LatencyWindow.values(), LatencyWindow::wire);

    private final Database db;
    private final Clock clock;

    public OpsService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/ops/routes", this::routes)
                .get("/v1/ops/devices", this::devices)
                .get("/v1/ops/stops/{stopId}/events", this::eventsOfStop)
                .get("/v1/ops/latencies", this::latencies);
    }

    /**
     * A business latency over the last hour or day in buckets (ops scope): what the operations console charts. Read
     * from the database, so every replica answers alike.
     */
    public LatencySeries latencies(Principal caller, LatencyKind kind, LatencyWindow window) {
        caller.requireAny(Scope.OPS);
        return Latencies.read(db, kind, window, clock.millis());
    }

    private void latencies(ServerRequest req, ServerResponse res) {
        Principal caller = AuthFilter.principal(req).requireAny(Scope.OPS);
        Query q = Query.of(req, "kind", "window");
        String kind = q.oneOf("kind", LATENCY_KINDS);
        if (kind == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED, "kind", "kind is one of " + new java.util.TreeSet<>(LATENCY_KINDS));
        }
        String window = q.oneOf("window", LATENCY_WINDOWS);
        JsonBodies.ok(
                res,
                latencies(
                        caller,
                        LatencyKind.fromWire(kind),
                        window == null ? LatencyWindow.HOUR : LatencyWindow.fromWire(window)));
    }

    private static <T> Set<String> wires(T[] values, java.util.function.Function<T, String> wire) {
        return Arrays.stream(values).map(wire).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private void routes(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        p.requireAny(Scope.OPS); // before the query is read: a caller without the scope learns nothing of it
        Query q = Query.of(req, "serviceDate", "driverId", "status", "after", "limit");
        JsonBodies.ok(
                res,
                routes(
                        p,
                        q.date("serviceDate"),
                        q.id("driverId"),
                        q.oneOf("status", ROUTE_STATUSES),
                        q.id("after"),
                        q.limit(DEFAULT_LIMIT, Limits.MAX_PULL_LIMIT)));
    }

    /**
     * Routes by id with their progress by stop state, of one service date, driver and status (any when null). The
     * API and the console both read them here.
     */
    public RoutePage routes(Principal p, LocalDate date, String driverId, String status, String after, int limit) {
        p.requireAny(Scope.OPS);
        Query.oneOf("status", status, ROUTE_STATUSES);
        int n = Query.checkLimit(limit, Limits.MAX_PULL_LIMIT);
        return db.read(tx -> {
            List<OpsRepository.RouteSummary> rows =
                    tx.ops().routes(date == null ? null : date.toString(), driverId, status, after, n);
            Map<String, Map<String, Integer>> progress = tx.ops()
                    .stopProgress(rows.stream()
                            .map(OpsRepository.RouteSummary::routeId)
                            .toList());
            List<RouteSummary> items = rows.stream()
                    .map(r -> {
                        Map<String, Integer> stops = progress.getOrDefault(r.routeId(), Map.of());
                        return new RouteSummary(
                                r.routeId(),
                                r.serviceDate(),
                                r.driverId(),
                                r.vehicleId(),
                                r.status(),
                                r.version(),
                                Instant.ofEpochMilli(r.releasedAt()),
                                Instant.ofEpochMilli(r.updatedAt()),
                                stops.values().stream()
                                        .mapToInt(Integer::intValue)
                                        .sum(),
                                stops);
                    })
                    .toList();
            return new RoutePage(
                    items,
                    next(
                            items.size(),
                            n,
                            items.isEmpty() ? null : items.getLast().routeId()));
        });
    }

    private void devices(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req);
        p.requireAny(Scope.OPS);
        Query q = Query.of(req, "driverId", "status", "after", "limit");
        JsonBodies.ok(
                res,
                devices(
                        p,
                        q.id("driverId"),
                        q.oneOf("status", DEVICE_STATUSES),
                        q.id("after"),
                        q.limit(DEFAULT_LIMIT, Limits.MAX_PULL_LIMIT)));
    }

    /** Devices by id, of one driver and status (any when null). The API and the console both read them here. */
    public DevicePage devices(Principal p, String driverId, String status, String after, int limit) {
        p.requireAny(Scope.OPS);
        Query.oneOf("status", status, DEVICE_STATUSES);
        int n = Query.checkLimit(limit, Limits.MAX_PULL_LIMIT);
        List<DeviceSummary> items = db.read(tx -> tx.ops().devices(driverId, status, after, n)).stream()
                .map(d -> new DeviceSummary(
                        d.device().deviceId(),
                        d.device().driverId(),
                        d.device().name(),
                        d.device().platform(),
                        d.device().appVersion(),
                        d.protocolVersion(),
                        d.device().status(),
                        Instant.ofEpochMilli(d.device().createdAt()),
                        instant(d.device().lastSeenAt()),
                        d.device().clockOffsetMs(),
                        d.lastError(),
                        instant(d.lastErrorAt()),
                        d.evidenceMissing(),
                        d.revokedBy(),
                        instant(d.revokedAt())))
                .toList();
        return new DevicePage(
                items,
                next(items.size(), n, items.isEmpty() ? null : items.getLast().deviceId()));
    }

    private void eventsOfStop(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        String stopId = req.path().pathParameters().get("stopId");
        List<Violation> v = ProtocolValidator.validateId(stopId, "stopId");
        if (!v.isEmpty()) {
            throw ProblemException.invalid(v);
        }
        Query q = Query.of(req, "after", "limit");
        OpsRepository.EventCursor after = eventCursor(q.string("after"));
        int limit = q.limit(DEFAULT_LIMIT, Limits.MAX_PULL_LIMIT);
        List<EventRow> rows = db.read(tx -> tx.ops().eventsOfStop(stopId, after, limit));
        EventRow last = rows.isEmpty() ? null : rows.getLast();
        JsonBodies.ok(
                res,
                new StoredEventPage(
                        rows.stream().map(OpsService::stored).toList(),
                        next(rows.size(), limit, last == null ? null : cursorOf(last))));
    }

    private static String next(int size, int limit, String lastKey) {
        return size == limit ? lastKey : null;
    }

    /** A stop's events are ordered by receipt, then device and seq: the cursor is the last one's three. */
    private static String cursorOf(EventRow e) {
        return e.receivedAt() + "." + e.seq() + "." + e.deviceId();
    }

    private static OpsRepository.EventCursor eventCursor(String raw) {
        if (raw == null) {
            return null;
        }
        String[] parts = raw.split("\\.", 3);
        try {
            if (parts.length == 3
                    && ProtocolValidator.validateId(parts[2], "after").isEmpty()) {
                long receivedAt = Long.parseLong(parts[0]);
                long seq = Long.parseLong(parts[1]);
                return new OpsRepository.EventCursor(receivedAt, parts[2], seq);
            }
        } catch (NumberFormatException e) {
            // falls through to the 400
        }
        throw ProblemException.badRequest(
                ViolationCodes.INVALID_FORMAT, "after", "after must be the nextAfter of the previous page");
    }

    /** An event row as operations read it. */
    public static StoredEvent stored(EventRow e) {
        JsonNode event = e.payloadJson() == null ? null : ProtocolJson.read(e.payloadJson(), JsonNode.class);
        return new StoredEvent(
                e.deviceId(),
                e.seq(),
                e.idempotencyKey(),
                e.driverId(),
                e.routeId(),
                e.stopId(),
                e.type() == null ? null : EventType.valueOf(e.type()),
                e.attempt(),
                Verdict.valueOf(e.verdict()),
                e.reason(),
                e.field(),
                e.flags().isEmpty() ? List.of() : Arrays.asList(e.flags().split(",")),
                instant(e.capturedAt()),
                instant(e.correctedAt()),
                Instant.ofEpochMilli(e.receivedAt()),
                e.correlationId(),
                event);
    }

    static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
