package io.podsync.server.routes;

import io.podsync.protocol.Change;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.RouteDetail;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.RouteReleaseResult;
import io.podsync.protocol.RouteView;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.StopView;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.http.ProblemException;
import io.podsync.server.observe.Telemetry;
import io.podsync.server.sync.Audiences;
import io.podsync.server.sync.MilestoneListener;
import io.podsync.server.sync.StopFold;
import io.podsync.storage.ChangeRow;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.RouteRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
import io.podsync.storage.Tx;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * Who asked for a new version of a route, kept with the version (the trace of an order shows it).
     *
     * @param baseUrl how the ERP reached the server ({@code scheme://host[:port]}): evidence URLs in its messages about
     *     the route start with it when no public URL is configured
     * @param clientId the API client that asked
     * @param correlationId the correlation id of its request: the ERP's own, when it sent one
     */
    public record Caller(String baseUrl, String clientId, String correlationId) {}

    /** Creates or replaces a route; the same content again is a no-op that returns the current version. */
    public RouteReleaseResult release(String routeId, RouteRelease release, Caller caller) {
        return Telemetry.span("podsync.route.release", () -> {
            Telemetry.attribute("podsync.route_id", routeId);
            PreparedRelease prepared = PreparedRelease.of(release);
            RouteReleaseResult result = db.write(tx -> release(tx, routeId, release, prepared, caller));
            Telemetry.attribute("podsync.route_version", result.version());
            return result;
        });
    }

    /**
     * Moves a route to another driver, keeping its current content: the stops it holds now (not the ones a later
     * release moved elsewhere). Empty when the route does not exist; 409 when it is cancelled.
     */
    public Optional<RouteReleaseResult> reassign(String routeId, String driverId, String vehicleId, Caller caller) {
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
                    .map(s -> RouteViews.spec(ProtocolJson.read(s.viewJson(), StopView.class)))
                    .toList();
            RouteView view = ProtocolJson.read(route.viewJson(), RouteView.class);
            RouteRelease moved = new RouteRelease(
                    driverId, vehicleId != null ? vehicleId : route.vehicleId(), view.serviceDate(), current);
            return release(tx, routeId, moved, PreparedRelease.of(moved), caller);
        }));
    }

    /** Cancels a route and all of its stops. Empty when the route does not exist. */
    public Optional<RouteReleaseResult> cancel(String routeId, Caller caller) {
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
                String json = ProtocolJson.toString(RouteViews.withStatus(old, s.version() + 1, CANCELLED));
                tx.routes().upsertStop(RouteViews.copy(s, CANCELLED, s.version() + 1, s.contentHash(), json, now));
                changes.add(ChangeRow.of(audience, Change.STOP, s.stopId(), true, json, now));
            }
            RouteView old = ProtocolJson.read(route.viewJson(), RouteView.class);
            String json =
                    ProtocolJson.toString(RouteViews.nextRouteView(route, old.serviceDate(), CANCELLED, old.stopIds()));
            String baseUrl = caller.baseUrl() != null ? caller.baseUrl() : route.baseUrl();
            RouteRow cancelled = RouteViews.changedRoute(route, CANCELLED, route.contentHash(), json, baseUrl, now);
            tx.routes().upsertRoute(cancelled);
            tx.routes().recordCaller(routeId, cancelled.version(), caller.clientId(), caller.correlationId());
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

    /**
     * The release pipeline: a no-op for the same content, else the diff against what is stored, the changed and the
     * removed stops stored with their views, the route's new version, the routes that lost a stop, the change feed, and
     * the states of the stops handed over from another driver.
     */
    private RouteReleaseResult release(
            Tx tx, String routeId, RouteRelease release, PreparedRelease prepared, Caller caller) {
        long now = clock.millis();
        RouteRow existing = tx.routes().findRoute(routeId).orElse(null);
        if (ReleaseDiff.unchanged(existing, prepared.hash())) {
            return new RouteReleaseResult(routeId, existing.version(), false, existing.driverId(), existing.status());
        }
        String driver = release.driverId();
        Map<String, StopRow> own = tx.routes().stopsOfRoute(routeId).stream()
                .collect(Collectors.toMap(StopRow::stopId, Function.identity()));
        Map<String, StopRow> previous = tx.routes()
                .findStops(release.stops().stream().map(StopSpec::stopId).toList());
        List<ReleaseDiff.StopChange> changed =
                ReleaseDiff.changes(routeId, driver, release.stops(), prepared.stopHashes(), previous);

        List<ChangeRow> changes = new ArrayList<>();
        for (ReleaseDiff.StopChange c : changed) {
            changes.addAll(storeStop(tx, routeId, driver, c, prepared, now));
        }
        for (StopRow gone : ReleaseDiff.gone(own.values(), release.stops())) {
            tx.routes()
                    .upsertStop(RouteViews.copy(
                            gone, REMOVED, gone.version() + 1, gone.contentHash(), gone.viewJson(), now));
            changes.add(ChangeRow.of(Audiences.driver(gone.driverId()), Change.STOP, gone.stopId(), true, null, now));
        }
        if (existing != null && !existing.driverId().equals(driver)) {
            changes.add(ChangeRow.of(Audiences.driver(existing.driverId()), Change.ROUTE, routeId, true, null, now));
        }
        long version = existing == null ? 1 : existing.version() + 1;
        changes.add(storeRoute(tx, routeId, release, version, prepared, existing, caller, now));
        changed.stream()
                .filter(ReleaseDiff.StopChange::moved)
                .map(c -> c.prev().routeId())
                .distinct()
                .forEach(other -> changes.add(republish(tx, other, caller, now)));
        tx.changes().publish(changes);
        handOverStates(tx, changed, Audiences.driver(driver));
        return new RouteReleaseResult(routeId, version, true, driver, ACTIVE);
    }

    /** Stores a released stop's new version; the changes its drivers' devices get. */
    private static List<ChangeRow> storeStop(
            Tx tx, String routeId, String driver, ReleaseDiff.StopChange c, PreparedRelease prepared, long now) {
        String stopId = c.spec().stopId();
        StopView view = RouteViews.stopView(routeId, c.version(), c.spec(), c.status());
        String json = ProtocolJson.toString(view);
        tx.routes().upsertStop(RouteViews.releasedStop(c, routeId, driver, view, json, prepared, now));
        tx.routes().replaceLines(stopId, lines(stopId, c.spec().orders()));
        List<ChangeRow> changes = new ArrayList<>(2);
        if (c.handedOver()) {
            // Fencing: the old driver loses the stop; their later events for it are "reassigned".
            tx.routes().unassign(stopId, c.prev().driverId(), now);
            changes.add(ChangeRow.of(Audiences.driver(c.prev().driverId()), Change.STOP, stopId, true, null, now));
        }
        tx.routes().assign(stopId, driver, now);
        changes.add(
                ChangeRow.of(Audiences.driver(driver), Change.STOP, stopId, CANCELLED.equals(c.status()), json, now));
        return changes;
    }

    /** Stores the route's new version; the change its driver's devices get. */
    private ChangeRow storeRoute(
            Tx tx,
            String routeId,
            RouteRelease release,
            long version,
            PreparedRelease prepared,
            RouteRow existing,
            Caller caller,
            long now) {
        RouteView view = new RouteView(
                routeId,
                version,
                release.driverId(),
                release.vehicleId(),
                release.serviceDate(),
                ACTIVE,
                ReleaseDiff.stopOrder(release.stops()));
        String json = ProtocolJson.toString(view);
        RouteRow released =
                RouteViews.releasedRoute(routeId, release, version, prepared, existing, json, caller.baseUrl(), now);
        tx.routes().upsertRoute(released);
        tx.routes().recordCaller(routeId, version, caller.clientId(), caller.correlationId());
        milestones.routeChanged(tx, released, now);
        return ChangeRow.of(Audiences.driver(release.driverId()), Change.ROUTE, routeId, false, json, now);
    }

    /**
     * The new driver's devices get the state each handed-over stop was left in (an arrival, a failed attempt), not
     * only the stop: publishing a stored state to them moves it to their feed.
     */
    private static void handOverStates(Tx tx, List<ReleaseDiff.StopChange> changed, String audience) {
        List<String> handedOver = changed.stream()
                .filter(ReleaseDiff.StopChange::handedOver)
                .map(c -> c.spec().stopId())
                .toList();
        List<StopStateRow> states = new ArrayList<>();
        for (StopStateRow s : tx.routes().findStates(handedOver).values()) {
            states.add(s.to(audience));
        }
        tx.routes().upsertStates(states);
    }

    /** A route that lost a stop to another route gets a new version without it. */
    private ChangeRow republish(Tx tx, String routeId, Caller caller, long now) {
        RouteRow route = tx.routes().findRoute(routeId).orElseThrow();
        List<String> stopIds = tx.routes().stopsOfRoute(routeId).stream()
                .filter(s -> !REMOVED.equals(s.status()))
                .map(StopRow::stopId)
                .toList();
        RouteView view = RouteViews.nextRouteView(route, LocalDate.parse(route.serviceDate()), route.status(), stopIds);
        String json = ProtocolJson.toString(view);
        RouteRow republished = RouteViews.changedRoute(
                route, route.status(), RouteViews.hashOfNoRelease(view), json, route.baseUrl(), now);
        tx.routes().upsertRoute(republished);
        tx.routes().recordCaller(routeId, republished.version(), caller.clientId(), caller.correlationId());
        milestones.routeChanged(tx, republished, now);
        return ChangeRow.of(Audiences.driver(route.driverId()), Change.ROUTE, routeId, false, json, now);
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
