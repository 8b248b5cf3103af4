package io.podsync.server.ops;

import io.podsync.protocol.ErpEventType;
import io.podsync.protocol.EventType;
import io.podsync.protocol.Trace;
import io.podsync.protocol.TraceEntry;
import io.podsync.protocol.TraceEntryKind;
import io.podsync.protocol.TraceGap;
import io.podsync.protocol.TraceGapKind;
import io.podsync.protocol.TraceKey;
import io.podsync.protocol.Verdict;
import io.podsync.storage.ArtifactRow;
import io.podsync.storage.EventRow;
import io.podsync.storage.EvidenceLinkRow;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.OutboxAttemptRow;
import io.podsync.storage.OutboxRow;
import io.podsync.storage.TraceRepository;
import io.podsync.storage.TraceRepository.OpsAction;
import io.podsync.storage.TraceRepository.RoutePull;
import io.podsync.storage.TraceRepository.RouteVersion;
import io.podsync.storage.UploadRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds one trace in one read transaction: resolves the key to stops and routes, reads what is recorded about them
 * (each list bounded by the limit), turns the rows into steps, orders them and names the missing links.
 */
final class TraceAssembler {
    /**
     * The most stops (and routes) a trace covers: a route has at most 500 stops, a push touches at most 500. Past it the
     * answer says it was cut ({@code truncated}).
     */
    static final int MAX_STOPS = 1000;

    private final TraceRepository repo;
    private final boolean podForwarded;
    private final int limit;
    private final List<TraceEntry> entries = new ArrayList<>();
    private final List<TraceGap> missing = new ArrayList<>();
    private boolean cut;

    TraceAssembler(TraceRepository repo, boolean podForwarded, int limit) {
        this.repo = repo;
        this.podForwarded = podForwarded;
        this.limit = limit;
    }

    Trace trace(TraceKey by, String value) {
        Set<String> stops = new LinkedHashSet<>();
        Set<String> routes = new LinkedHashSet<>();
        Set<String> shas = new LinkedHashSet<>();
        switch (by) {
            case ORDER_ID -> add(stops, repo.stopsOfOrder(value, MAX_STOPS + 1));
            case ROUTE_ID -> {
                routes.add(value);
                add(stops, repo.stopsOfRoute(value, MAX_STOPS + 1));
            }
            case STOP_ID -> stops.add(value);
            case CORRELATION_ID -> {
                // a push is found through the ERP messages it caused: the event log has no index by correlation id
                for (String route : repo.routesOfCorrelation(value, MAX_STOPS + 1)) {
                    routes.add(route);
                    add(stops, repo.stopsOfRoute(route, MAX_STOPS + 1));
                }
                repo.messagesOfCorrelation(value, MAX_STOPS + 1).forEach((stop, route) -> {
                    if (!stop.isEmpty()) {
                        add(stops, List.of(stop));
                    }
                    if (!route.isEmpty()) {
                        routes.add(route);
                    }
                });
            }
            case IDEMPOTENCY_KEY -> add(stops, repo.stopsOfEventKey(value, MAX_STOPS + 1));
            case SHA256 -> {
                add(stops, repo.stopsOfArtifact(value, MAX_STOPS + 1));
                shas.add(value);
            }
        }
        Map<String, String> routeOfStop = repo.routesOfStops(stops);
        routes.addAll(routeOfStop.values());
        if (routes.size() > MAX_STOPS) { // an ERP that sends one correlation id with every release of a night
            List<String> first = List.copyOf(routes).subList(0, MAX_STOPS);
            routes.retainAll(first);
            cut = true;
        }

        int rows = limit + 1; // one more than fits tells that the answer was cut
        List<RouteVersion> versions = repo.routeVersions(routes, rows);
        routePulls(repo.routePulls(routes, rows), versions, routeVersions(versions));
        List<EventRow> events = repo.events(stops, rows);
        events.forEach(this::event);
        evidence(events, repo.evidenceOfStops(stops, rows), shas);
        exceptions(repo.exceptions(stops, routes, rows));
        List<OutboxRow> messages = repo.outbox(routeOfStop, routes, rows);
        outbox(
                messages,
                repo.attempts(messages.stream().map(OutboxRow::outboxId).toList(), rows));
        actions(messages, rows);
        notConfirmed(events, messages);

        entries.sort(Comparator.comparing(TraceEntry::at).thenComparing(TraceEntry::kind));
        boolean truncated = cut || entries.size() > limit;
        List<TraceEntry> shown = List.copyOf(entries.subList(0, Math.min(limit, entries.size())));
        return new Trace(
                by,
                value,
                List.copyOf(new TreeSet<>(routes)),
                List.copyOf(new TreeSet<>(stops)),
                shown,
                truncated,
                limit,
                missing.isEmpty(),
                List.copyOf(missing));
    }

    /** Each version as a step; returns each route's latest version. */
    private Map<String, RouteVersion> routeVersions(List<RouteVersion> versions) {
        Map<String, RouteVersion> latest = new HashMap<>();
        for (RouteVersion v : versions) {
            RouteVersion before = latest.get(v.routeId());
            String what = before == null
                    ? "released"
                    : v.status().equals("cancelled")
                            ? "cancelled"
                            : !v.driverId().equals(before.driverId()) ? "reassigned to " + v.driverId() : "amended";
            add(new Step(TraceEntryKind.ROUTE_VERSION, v.releasedAt())
                    .summary("route " + v.routeId() + " version " + v.version() + " " + what
                            + (v.releasedBy() == null ? "" : " by " + v.releasedBy())
                            + (v.correlationId() == null ? "" : " (correlation id " + v.correlationId() + ")"))
                    .route(v.routeId(), v.version())
                    .actor(v.releasedBy())
                    .correlationId(v.correlationId())
                    .status(v.status()));
            latest.put(v.routeId(), v);
        }
        return latest;
    }

    private void routePulls(List<RoutePull> pulls, List<RouteVersion> versions, Map<String, RouteVersion> current) {
        Map<String, RouteVersion> byVersion = new HashMap<>();
        versions.forEach(v -> byVersion.put(v.routeId() + "\u0000" + v.version(), v));
        Set<String> dispatched = new HashSet<>();
        for (RoutePull p : pulls) {
            RouteVersion v = byVersion.get(p.routeId() + "\u0000" + p.version());
            boolean byDriver = v != null && p.driverId().equals(v.driverId());
            boolean dispatch = byDriver && dispatched.add(p.routeId() + "\u0000" + p.version());
            add(new Step(TraceEntryKind.ROUTE_PULLED, p.pulledAt())
                    .summary("device " + p.deviceId() + " of driver " + p.driverId() + " first pulled route "
                            + p.routeId() + " version " + p.version() + (dispatch ? " (dispatched)" : ""))
                    .route(p.routeId(), p.version())
                    .device(p.deviceId())
                    .actor(p.driverId()));
        }
        for (RouteVersion v : current.values()) {
            boolean pulled = pulls.stream()
                    .anyMatch(p -> p.routeId().equals(v.routeId())
                            && p.version() == v.version()
                            && p.driverId().equals(v.driverId()));
            if (!pulled && v.status().equals("active")) {
                missing.add(new TraceGap(
                        TraceGapKind.NOT_DISPATCHED,
                        "no device of driver " + v.driverId() + " has pulled route " + v.routeId() + " version "
                                + v.version(),
                        v.routeId(),
                        v.version(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
            }
        }
    }

    private void event(EventRow e) {
        List<String> flags =
                e.flags().isEmpty() ? List.of() : Arrays.asList(e.flags().split(","));
        Verdict verdict = Verdict.valueOf(e.verdict());
        String what = (e.type() == null
                        ? "unreadable event"
                        : EventType.valueOf(e.type()).wire()) + (e.stopId() == null ? "" : " at stop " + e.stopId())
                + " (attempt " + e.attempt() + ")";
        add(new Step(TraceEntryKind.EVENT, e.correctedAt() != null ? e.correctedAt() : e.receivedAt())
                .summary(what + " from device " + e.deviceId() + ": " + verdict.wire()
                        + (e.reason() == null ? "" : " " + e.reason())
                        + (flags.isEmpty() ? "" : ", flags " + String.join(", ", flags))
                        + (e.resolution() == null ? "" : ", resolved " + e.resolution()))
                .route(e.routeId(), null)
                .stop(e.stopId())
                .device(e.deviceId())
                .event(e.seq(), e.idempotencyKey())
                .actor(e.driverId())
                .correlationId(e.correlationId())
                .verdict(verdict, flags, e.capturedAt(), e.receivedAt()));
    }

    /** Uploads and stored artifacts of the events' evidence (and of {@code shas}); an artifact never stored is a gap. */
    private void evidence(List<EventRow> events, List<EvidenceLinkRow> links, Set<String> shas) {
        links.forEach(l -> shas.add(l.sha256()));
        Map<String, ArtifactRow> stored = new HashMap<>();
        for (ArtifactRow a : repo.artifacts(shas)) {
            stored.put(a.sha256(), a);
            add(new Step(TraceEntryKind.ARTIFACT_STORED, a.storedAt())
                    .summary(a.kind() + " " + a.sha256().substring(0, 12) + "... stored (" + a.size() + " bytes, "
                            + a.mediaType() + "), its SHA-256 verified")
                    .sha256(a.sha256()));
        }
        for (UploadRow u : repo.uploads(shas, limit + 1)) {
            add(new Step(TraceEntryKind.UPLOAD_DECLARED, u.createdAt())
                    .summary("device " + u.deviceId() + " declared an upload of " + u.kind() + " "
                            + u.sha256().substring(0, 12) + "... (" + u.size() + " bytes, " + u.mediaType() + "), now "
                            + u.status() + (u.status().equals("open") ? " at offset " + u.offset() : ""))
                    .device(u.deviceId())
                    .actor(u.driverId())
                    .sha256(u.sha256())
                    .status(u.status()));
        }
        Map<String, EventRow> byKey = new HashMap<>();
        events.forEach(e -> byKey.put(e.deviceId() + "\u0000" + e.idempotencyKey(), e));
        for (EvidenceLinkRow l : links) {
            if (!stored.containsKey(l.sha256())) {
                EventRow e = byKey.get(l.deviceId() + "\u0000" + l.idempotencyKey());
                missing.add(new TraceGap(
                        TraceGapKind.ARTIFACT_MISSING,
                        "the event " + l.idempotencyKey() + " of device " + l.deviceId() + " references artifact "
                                + l.sha256() + ", which was never stored",
                        e == null ? null : e.routeId(),
                        null,
                        e == null ? null : e.stopId(),
                        l.deviceId(),
                        l.idempotencyKey(),
                        l.sha256(),
                        null,
                        null));
            }
        }
    }

    private void exceptions(List<ExceptionRow> exceptions) {
        for (ExceptionRow x : exceptions) {
            add(exception(TraceEntryKind.EXCEPTION_OPENED, x.createdAt(), x)
                    .summary("exception " + x.exceptionId() + " opened: " + x.kind()
                            + (x.codes().isEmpty() ? "" : " (" + x.codes() + ")"))
                    .status(x.kind()));
            if (x.resolvedAt() != null) {
                add(exception(TraceEntryKind.EXCEPTION_RESOLVED, x.resolvedAt(), x)
                        .summary("exception " + x.exceptionId() + " resolved "
                                + (x.resolution() == null ? "" : x.resolution() + " ")
                                + "by " + (x.resolvedBy() == null ? "the server" : x.resolvedBy())
                                + (x.note() == null || x.note().isEmpty() ? "" : ": " + x.note()))
                        .actor(x.resolvedBy())
                        .status(x.resolution()));
            } else if (x.status().equals("open")) {
                missing.add(new TraceGap(
                        TraceGapKind.EXCEPTION_OPEN,
                        "exception " + x.exceptionId() + " (" + x.kind() + ") is open",
                        x.routeId(),
                        null,
                        x.stopId(),
                        x.deviceId(),
                        x.idempotencyKey(),
                        null,
                        x.exceptionId(),
                        null));
            }
        }
    }

    private static Step exception(TraceEntryKind kind, long at, ExceptionRow x) {
        return new Step(kind, at)
                .route(x.routeId(), null)
                .stop(x.stopId())
                .device(x.deviceId())
                .event(null, x.idempotencyKey())
                .exception(x.exceptionId());
    }

    private void outbox(List<OutboxRow> messages, List<OutboxAttemptRow> attempts) {
        Map<Long, OutboxRow> byId = new HashMap<>();
        for (OutboxRow m : messages) {
            byId.put(m.outboxId(), m);
            add(message(TraceEntryKind.OUTBOX_MESSAGE, m.createdAt(), m)
                    .summary("message " + m.type() + " for endpoint " + m.endpoint() + " written, now " + m.status())
                    .correlationId(m.correlationId())
                    .status(m.status()));
            if (!m.status().equals("delivered")) {
                missing.add(new TraceGap(
                        TraceGapKind.NOT_ACKNOWLEDGED,
                        "message " + m.outboxId() + " (" + m.type() + ") to " + m.endpoint()
                                + " is not acknowledged by the ERP: " + m.status() + " after " + m.attempts()
                                + " attempts" + (m.lastError() == null ? "" : ", last error " + m.lastError()),
                        empty(m.routeId()),
                        null,
                        empty(m.stopId()),
                        null,
                        null,
                        null,
                        null,
                        m.outboxId()));
            }
        }
        for (OutboxAttemptRow a : attempts) {
            OutboxRow m = byId.get(a.outboxId());
            boolean ok = a.statusCode() >= 200 && a.statusCode() < 300;
            add(message(ok ? TraceEntryKind.ERP_ACKNOWLEDGED : TraceEntryKind.DELIVERY_ATTEMPT, a.at(), m)
                    .summary((ok
                                    ? "acknowledged by " + m.endpoint() + " (" + a.statusCode() + ")"
                                    : "attempt "
                                            + a.attempt() + " to " + m.endpoint() + " failed: "
                                            + (a.statusCode() == 0 ? "no answer" : String.valueOf(a.statusCode()))
                                            + (a.error() == null ? "" : " " + a.error()))
                            + " after " + a.durationMillis() + " ms")
                    .statusCode(a.statusCode()));
        }
    }

    private static Step message(TraceEntryKind kind, long at, OutboxRow m) {
        return new Step(kind, at)
                .route(empty(m.routeId()), null)
                .stop(empty(m.stopId()))
                .outbox(m.outboxId(), m.messageId());
    }

    /** What people did to these messages or their endpoints while the messages existed. */
    private void actions(List<OutboxRow> messages, int rows) {
        if (messages.isEmpty()) {
            return;
        }
        long since = messages.stream().mapToLong(OutboxRow::createdAt).min().orElseThrow();
        Set<String> endpoints = new TreeSet<>();
        messages.forEach(m -> endpoints.add(m.endpoint()));
        for (OpsAction a :
                repo.actions(messages.stream().map(OutboxRow::outboxId).toList(), endpoints, since, rows)) {
            OutboxRow touched = a.outboxId() != null
                    ? messages.stream()
                            .filter(m -> m.outboxId() == a.outboxId())
                            .findFirst()
                            .orElse(null)
                    : messages.stream()
                            .filter(m -> m.endpoint().equals(a.endpoint())
                                    && m.createdAt() <= a.at()
                                    && (a.since() == null || m.createdAt() >= a.since()))
                            .findFirst()
                            .orElse(null);
            if (touched == null) {
                continue;
            }
            String what = switch (a.action()) {
                case "replay" -> "replayed message " + a.outboxId();
                case "replay_dead" ->
                    "replayed every dead message (" + a.affected() + "), message " + a.outboxId() + " among them";
                case "recover" ->
                    "recovered the failed messages of endpoint " + a.endpoint() + " since "
                            + Instant.ofEpochMilli(a.since()) + " (" + a.affected() + ")";
                default -> a.action() + " endpoint " + a.endpoint() + " (" + a.affected() + " messages)";
            };
            add(new Step(TraceEntryKind.OPERATOR_ACTION, a.at())
                    .summary(a.actor() + " " + what)
                    .route(empty(touched.routeId()), null)
                    .stop(empty(touched.stopId()))
                    .outbox(a.outboxId(), a.outboxId() == null ? null : touched.messageId())
                    .actor(a.actor())
                    .status(a.action()));
        }
    }

    /** A stop with an applied outcome but no proof-of-delivery message, where an endpoint takes them. */
    private void notConfirmed(List<EventRow> events, List<OutboxRow> messages) {
        if (!podForwarded) {
            return;
        }
        Set<String> confirmed = new HashSet<>();
        for (OutboxRow m : messages) {
            ErpEventType t = ErpEventType.fromWire(m.type());
            if (t != null && t.isPod()) {
                confirmed.add(m.stopId());
            }
        }
        Set<String> reported = new HashSet<>();
        for (EventRow e : events) {
            if (e.verdict().equals(Verdict.APPLIED.name())
                    && e.type() != null
                    && EventType.valueOf(e.type()).isOutcome()
                    && !confirmed.contains(e.stopId())
                    && reported.add(e.stopId())) {
                missing.add(new TraceGap(
                        TraceGapKind.NOT_CONFIRMED,
                        "stop " + e.stopId() + " has an applied "
                                + EventType.valueOf(e.type()).wire() + " but no proof-of-delivery message for the ERP",
                        e.routeId(),
                        null,
                        e.stopId(),
                        e.deviceId(),
                        e.idempotencyKey(),
                        null,
                        null,
                        null));
            }
        }
    }

    /** Adds stops up to {@link #MAX_STOPS}; past it the trace is cut. */
    private void add(Set<String> stops, java.util.Collection<String> more) {
        for (String stop : more) {
            if (!stops.contains(stop)) {
                if (stops.size() == MAX_STOPS) {
                    cut = true;
                    return;
                }
                stops.add(stop);
            }
        }
    }

    private void add(Step step) {
        entries.add(step.build());
    }

    private static String empty(String id) {
        return id == null || id.isEmpty() ? null : id;
    }

    /** A trace entry being filled in. */
    private static final class Step {
        private final TraceEntryKind kind;
        private final Instant at;
        private String summary;
        private String routeId;
        private Long routeVersion;
        private String stopId;
        private String deviceId;
        private Long seq;
        private String idempotencyKey;
        private Long exceptionId;
        private Long outboxId;
        private String messageId;
        private String sha256;
        private String actor;
        private String correlationId;
        private Verdict verdict;
        private List<String> flags;
        private Instant capturedAt;
        private Instant receivedAt;
        private Integer statusCode;
        private String status;

        Step(TraceEntryKind kind, long at) {
            this.kind = kind;
            this.at = Instant.ofEpochMilli(at);
        }

        Step summary(String s) {
            summary = s;
            return this;
        }

        Step route(String id, Long version) {
            routeId = id;
            routeVersion = version;
            return this;
        }

        Step stop(String id) {
            stopId = id;
            return this;
        }

        Step device(String id) {
            deviceId = id;
            return this;
        }

        Step event(Long eventSeq, String key) {
            seq = eventSeq;
            idempotencyKey = key;
            return this;
        }

        Step exception(long id) {
            exceptionId = id;
            return this;
        }

        Step outbox(Long id, String message) {
            outboxId = id;
            messageId = message;
            return this;
        }

        Step sha256(String sha) {
            sha256 = sha;
            return this;
        }

        Step actor(String who) {
            actor = who;
            return this;
        }

        Step correlationId(String id) {
            correlationId = id;
            return this;
        }

        Step verdict(Verdict v, List<String> f, Long captured, long received) {
            verdict = v;
            flags = f;
            capturedAt = captured == null ? null : Instant.ofEpochMilli(captured);
            receivedAt = Instant.ofEpochMilli(received);
            return this;
        }

        Step statusCode(int code) {
            statusCode = code;
            return this;
        }

        Step status(String s) {
            status = s;
            return this;
        }

        TraceEntry build() {
            return new TraceEntry(
                    kind,
                    at,
                    summary,
                    routeId,
                    routeVersion,
                    stopId,
                    deviceId,
                    seq,
                    idempotencyKey,
                    exceptionId,
                    outboxId,
                    messageId,
                    sha256,
                    actor,
                    correlationId,
                    verdict,
                    flags,
                    capturedAt,
                    receivedAt,
                    statusCode,
                    status);
        }
    }
}
