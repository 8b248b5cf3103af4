package io.podsync.server.routes;

import io.podsync.protocol.Change;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.RouteDetail;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.RouteReleaseResult;
import io.podsync.protocol.RouteView;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.StopView;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.http.ProblemException;
import io.podsync.server.observe.Telemetry;
import io.podsync.server.sync.Audiences;
import io.podsync.server.sync.Manifests;
import io.podsync.server.sync.MilestoneListener;
import io.podsync.server.sync.StopFold;
import io.podsync.storage.ChangeRow;
import io.podsync.storage.Database;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.RouteRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
import io.podsync.storage.Tx;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Applies releases, cancellations and reassignments to the stored routes and publishes what changed. */
public final class RouteReleaser {
    /** Geofence radius of a stop that does not give one, in metres. */
    public static final double DEFAULT_GEOFENCE_METERS = 150;

    static final String ACTIVE = "active";
    static final String CANCELLED = "cancelled";
    static final String REMOVED = "removed";

    private final Database db;
    private final Clock clock;
    private final MilestoneListener milestones;

    public RouteReleaser(Database db, Clock clock, MilestoneListener milestones) {
        this.db = db;
        this.clock = clock;
        this.milestones = milestones;
    }

    /**
     * Creates or replaces a route; the same content again is a no-op that returns the current version.
     *
     * @param baseUrl how the ERP reached the server ({@code scheme://host[:port]}): evidence URLs in its messages about
     *     the route start with it when no public URL is configured
     */
    public RouteReleaseResult release(String routeId, RouteRelease release, String baseUrl) {
        return Telemetry.span("podsync.route.release", () -> {
            Telemetry.attribute("podsync.route_id", routeId);
            Prepared prepared = Prepared.of(release);
            RouteReleaseResult result = db.write(tx -> release(tx, routeId, release, prepared, baseUrl));
            Telemetry.attribute("podsync.route_version", result.version());
            return result;
        });
    }

    /**
     * What a release writes that does not depend on what is stored (its hashes and its JSON), computed before the
     * write: on the single writer, which every push waits for, they were a third of the time per released stop.
     *
     * @param stopHashes and {@code policies}: one per stop, in the release's order
     */
    private record Prepared(String hash, String releaseJson, List<String> stopHashes, List<String> policies) {
        static Prepared of(RouteRelease release) {
            List<String> hashes = new ArrayList<>(release.stops().size());
            List<String> policies = new ArrayList<>(release.stops().size());
            for (StopSpec spec : release.stops()) {
                hashes.add(CanonicalJson.fingerprint(spec));
                policies.add(ProtocolJson.toString(policy(spec)));
            }
            return new Prepared(CanonicalJson.fingerprint(release), ProtocolJson.toString(release), hashes, policies);
        }
    }

    private static ProofPolicy policy(StopSpec s) {
        return s.proofPolicy() != null ? s.proofPolicy() : ProofPolicy.NONE;
    }

    /**
     * Moves a route to another driver, keeping its current content: the stops it holds now (not the ones a later
     * release moved elsewhere). Empty when the route does not exist; 409 when it is cancelled.
     */
    public Optional<RouteReleaseResult> reassign(String routeId, String driverId, String vehicleId, String baseUrl) {
        return db.write(tx -> tx.routes().findRoute(routeId).map(route -> {
            if (CANCELLED.equals(route.status())) {
                throw ProblemException.conflict(
                        "route_cancelled", "route " + routeId + " is cancelled; release it again");
            }
            if (route.driverId().equals(driverId) && (vehicleId == null || vehicleId.equals(route.vehicleId()))) {
                return new RouteReleaseResult(routeId, route.version(), false, route.driverId(), route.status());
            }
            List<StopSpec> current = tx.routes().stopsOfRoute(routeId).stream()
                    .filter(s -> !REMOVED.equals(s.status()))
                    .map(s -> spec(ProtocolJson.read(s.viewJson(), StopView.class)))
                    .toList();
            RouteView view = ProtocolJson.read(route.viewJson(), RouteView.class);
            RouteRelease moved = new RouteRelease(
                    driverId, vehicleId != null ? vehicleId : route.vehicleId(), view.serviceDate(), current);
            return release(tx, routeId, moved, Prepared.of(moved), baseUrl);
        }));
    }

    private static StopSpec spec(StopView v) {
        return new StopSpec(
                v.stopId(),
                v.sequence(),
                v.address(),
                v.location(),
                v.geofenceRadiusMeters(),
                v.timeWindow(),
                v.proofPolicy(),
                v.orders(),
                "cancelled".equals(v.status()));
    }

    /** Cancels a route and all of its stops. Empty when the route does not exist. */
    public Optional<RouteReleaseResult> cancel(String routeId, String baseUrl) {
        return db.write(tx -> tx.routes().findRoute(routeId).map(route -> {
            if (CANCELLED.equals(route.status())) {
                return new RouteReleaseResult(routeId, route.version(), false, route.driverId(), route.status());
            }
            long now = clock.millis();
            List<ChangeRow> changes = new ArrayList<>();
            String audience = Audiences.driver(route.driverId());
            for (StopRow s : tx.routes().stopsOfRoute(routeId)) {
                if (!ACTIVE.equals(s.status())) {
                    continue;
                }
                StopView old = ProtocolJson.read(s.viewJson(), StopView.class);
                StopView view = withStatus(old, s.version() + 1, CANCELLED);
                String json = ProtocolJson.toString(view);
                tx.routes().upsertStop(copy(s, CANCELLED, s.version() + 1, s.contentHash(), json, now));
                changes.add(ChangeRow.of(audience, Change.STOP, s.stopId(), true, json, now));
            }
            RouteView old = ProtocolJson.read(route.viewJson(), RouteView.class);
            RouteView view = new RouteView(
                    routeId,
                    route.version() + 1,
                    route.driverId(),
                    route.vehicleId(),
                    old.serviceDate(),
                    CANCELLED,
                    old.stopIds());
            String json = ProtocolJson.toString(view);
            RouteRow cancelled = new RouteRow(
                    routeId,
                    route.driverId(),
                    route.vehicleId(),
                    route.serviceDate(),
                    CANCELLED,
                    route.version() + 1,
                    route.contentHash(),
                    route.releasedAt(),
                    now,
                    json,
                    route.releaseJson(),
                    baseUrl != null ? baseUrl : route.baseUrl());
            tx.routes().upsertRoute(cancelled);
            changes.add(ChangeRow.of(audience, Change.ROUTE, routeId, true, json, now));
            tx.changes().publish(changes);
            milestones.routeChanged(tx, cancelled, now);
            return new RouteReleaseResult(routeId, route.version() + 1, true, route.driverId(), CANCELLED);
        }));
    }

    /** The route with its stops and their states; empty when unknown. */
    public Optional<RouteDetail> detail(String routeId) {
        return db.read(tx -> tx.routes().findRoute(routeId).map(route -> {
            List<StopRow> stops = tx.routes().stopsOfRoute(routeId).stream()
                    .filter(s -> !REMOVED.equals(s.status()))
                    .toList();
            Map<String, StopStateRow> states =
                    tx.routes().findStates(stops.stream().map(StopRow::stopId).toList());
            List<StopView> views = stops.stream()
                    .map(s -> ProtocolJson.read(s.viewJson(), StopView.class))
                    .toList();
            List<StopStateView> stateViews = stops.stream()
                    .map(s -> Optional.ofNullable(states.get(s.stopId()))
                            .map(st -> ProtocolJson.read(st.stateJson(), StopStateView.class))
                            .orElse(StopFold.pending(s.stopId())))
                    .toList();
            return new RouteDetail(ProtocolJson.read(route.viewJson(), RouteView.class), views, stateViews);
        }));
    }

    private RouteReleaseResult release(Tx tx, String routeId, RouteRelease release, Prepared prepared, String baseUrl) {
        long now = clock.millis();
        String hash = prepared.hash();
        RouteRow existing = tx.routes().findRoute(routeId).orElse(null);
        if (existing != null && ACTIVE.equals(existing.status()) && hash.equals(existing.contentHash())) {
            return new RouteReleaseResult(routeId, existing.version(), false, existing.driverId(), existing.status());
        }
        long version = existing == null ? 1 : existing.version() + 1;
        String driver = release.driverId();
        String audience = Audiences.driver(driver);
        List<ChangeRow> changes = new ArrayList<>();

        Map<String, StopRow> own = tx.routes().stopsOfRoute(routeId).stream()
                .collect(Collectors.toMap(StopRow::stopId, Function.identity()));
        List<String> incomingIds =
                release.stops().stream().map(StopSpec::stopId).toList();
        Map<String, StopRow> previous = tx.routes().findStops(incomingIds);
        Set<String> otherRoutes = new LinkedHashSet<>();
        List<String> handedOver = new ArrayList<>();

        for (int i = 0; i < release.stops().size(); i++) {
            StopSpec spec = release.stops().get(i);
            StopRow prev = previous.get(spec.stopId());
            String status = spec.isCancelled() ? CANCELLED : ACTIVE;
            String stopHash = prepared.stopHashes().get(i);
            boolean moved = prev != null && !prev.routeId().equals(routeId);
            boolean driverChanges = prev != null && !prev.driverId().equals(driver);
            if (prev != null
                    && !moved
                    && !driverChanges
                    && prev.contentHash().equals(stopHash)
                    && prev.status().equals(status)) {
                continue;
            }
            long stopVersion = prev == null ? 1 : prev.version() + 1;
            StopView view = view(routeId, stopVersion, spec, status);
            String json = ProtocolJson.toString(view);
            // Goods and place as before: an outcome captured against the earlier version still reads right.
            long manifestSince =
                    prev != null && Manifests.sameContent(ProtocolJson.read(prev.viewJson(), StopView.class), view)
                            ? prev.manifestSince()
                            : stopVersion;
            tx.routes()
                    .upsertStop(new StopRow(
                            spec.stopId(),
                            routeId,
                            driver,
                            spec.sequence(),
                            spec.location().lat(),
                            spec.location().lon(),
                            view.geofenceRadiusMeters(),
                            status,
                            stopVersion,
                            stopHash,
                            prepared.policies().get(i),
                            json,
                            prev == null ? now : prev.releasedAt(),
                            now,
                            manifestSince,
                            spec.timeWindow() == null || spec.timeWindow().end() == null
                                    ? null
                                    : spec.timeWindow().end().toEpochMilli()));
            tx.routes().replaceLines(spec.stopId(), lines(spec.stopId(), spec.orders()));
            if (moved) {
                otherRoutes.add(prev.routeId());
            }
            if (driverChanges) {
                // Fencing: the old driver loses the stop; their later events for it are "reassigned".
                tx.routes().unassign(spec.stopId(), prev.driverId(), now);
                handedOver.add(spec.stopId());
                changes.add(
                        ChangeRow.of(Audiences.driver(prev.driverId()), Change.STOP, spec.stopId(), true, null, now));
            }
            tx.routes().assign(spec.stopId(), driver, now);
            changes.add(ChangeRow.of(audience, Change.STOP, spec.stopId(), CANCELLED.equals(status), json, now));
        }
        Set<String> incoming = new HashSet<>(incomingIds);
        for (StopRow gone : own.values()) {
            if (incoming.contains(gone.stopId()) || REMOVED.equals(gone.status())) {
                continue;
            }
            tx.routes().upsertStop(copy(gone, REMOVED, gone.version() + 1, gone.contentHash(), gone.viewJson(), now));
            changes.add(ChangeRow.of(Audiences.driver(gone.driverId()), Change.STOP, gone.stopId(), true, null, now));
        }
        if (existing != null && !existing.driverId().equals(driver)) {
            changes.add(ChangeRow.of(Audiences.driver(existing.driverId()), Change.ROUTE, routeId, true, null, now));
        }
        List<String> stopIds = release.stops().stream()
                .sorted(Comparator.comparing(StopSpec::sequence).thenComparing(StopSpec::stopId))
                .map(StopSpec::stopId)
                .toList();
        RouteView view =
                new RouteView(routeId, version, driver, release.vehicleId(), release.serviceDate(), ACTIVE, stopIds);
        String json = ProtocolJson.toString(view);
        RouteRow released = new RouteRow(
                routeId,
                driver,
                release.vehicleId(),
                release.serviceDate().toString(),
                ACTIVE,
                version,
                hash,
                existing == null ? now : existing.releasedAt(),
                now,
                json,
                prepared.releaseJson(),
                baseUrl != null ? baseUrl : existing == null ? null : existing.baseUrl());
        tx.routes().upsertRoute(released);
        changes.add(ChangeRow.of(audience, Change.ROUTE, routeId, false, json, now));
        milestones.routeChanged(tx, released, now);
        for (String other : otherRoutes) {
            changes.add(republish(tx, other, now));
        }
        tx.changes().publish(changes);
        // The new driver's devices get the state each handed-over stop was left in (an arrival, a failed attempt),
        // not only the stop: publishing a stored state to them moves it to their feed.
        List<StopStateRow> states = new ArrayList<>();
        for (StopStateRow s : tx.routes().findStates(handedOver).values()) {
            states.add(s.to(audience));
        }
        tx.routes().upsertStates(states);
        return new RouteReleaseResult(routeId, version, true, driver, ACTIVE);
    }

    /** A route that lost a stop to another route gets a new version without it. */
    private ChangeRow republish(Tx tx, String routeId, long now) {
        RouteRow route = tx.routes().findRoute(routeId).orElseThrow();
        List<String> stopIds = tx.routes().stopsOfRoute(routeId).stream()
                .filter(s -> !REMOVED.equals(s.status()))
                .map(StopRow::stopId)
                .toList();
        RouteView view = new RouteView(
                routeId,
                route.version() + 1,
                route.driverId(),
                route.vehicleId(),
                LocalDate.parse(route.serviceDate()),
                route.status(),
                stopIds);
        String json = ProtocolJson.toString(view);
        RouteRow republished = new RouteRow(
                routeId,
                route.driverId(),
                route.vehicleId(),
                route.serviceDate(),
                route.status(),
                route.version() + 1,
                // The stored release no longer describes the route: a hash that no release has (the view's), so
                // that sending that release again applies it. (A 64-character column, like every hash.)
                CanonicalJson.fingerprint(view),
                route.releasedAt(),
                now,
                json,
                route.releaseJson(),
                route.baseUrl());
        tx.routes().upsertRoute(republished);
        milestones.routeChanged(tx, republished, now);
        return ChangeRow.of(Audiences.driver(route.driverId()), Change.ROUTE, routeId, false, json, now);
    }

    private static StopView view(String routeId, long version, StopSpec s, String status) {
        List<OrderSpec> orders = s.orders().stream()
                .map(o -> new OrderSpec(o.orderId(), o.lines(), o.isCancelled()))
                .toList();
        return new StopView(
                s.stopId(),
                routeId,
                version,
                s.sequence(),
                s.address(),
                s.location(),
                s.geofenceRadiusMeters() != null ? s.geofenceRadiusMeters() : DEFAULT_GEOFENCE_METERS,
                s.timeWindow(),
                policy(s),
                orders,
                status);
    }

    private static StopView withStatus(StopView v, long version, String status) {
        return new StopView(
                v.stopId(),
                v.routeId(),
                version,
                v.sequence(),
                v.address(),
                v.location(),
                v.geofenceRadiusMeters(),
                v.timeWindow(),
                v.proofPolicy(),
                v.orders(),
                status);
    }

    private static StopRow copy(StopRow s, String status, long version, String hash, String viewJson, long now) {
        return new StopRow(
                s.stopId(),
                s.routeId(),
                s.driverId(),
                s.sequence(),
                s.lat(),
                s.lon(),
                s.geofenceMeters(),
                status,
                version,
                hash,
                s.policyJson(),
                viewJson,
                s.releasedAt(),
                now,
                s.manifestSince(),
                s.windowEnd());
    }

    /** A stop's ordered lines as stored, from its orders (as released, or as a version of its view has them). */
    public static List<OrderLineRow> lines(String stopId, List<OrderSpec> orders) {
        List<OrderLineRow> out = new ArrayList<>();
        for (OrderSpec o : orders) {
            for (LineSpec l : o.lines()) {
                out.add(new OrderLineRow(
                        stopId,
                        o.orderId(),
                        l.lineId(),
                        l.sku(),
                        l.description(),
                        l.quantity(),
                        l.unit(),
                        o.isCancelled()));
            }
        }
        return out;
    }
}
