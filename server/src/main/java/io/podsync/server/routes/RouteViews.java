package io.podsync.server.routes;

import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.RouteView;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.StopView;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.storage.RouteRow;
import io.podsync.storage.StopRow;
import java.time.LocalDate;
import java.util.List;

/**
 * The views step of a release: what devices get for a route and its stops, and the rows that store them. Pure: the
 * caller writes the rows.
 */
final class RouteViews {
    private RouteViews() {}

    /** A released stop as its driver's devices see it. */
    static StopView stopView(String routeId, long version, StopSpec s, String status) {
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
                s.geofenceRadiusMeters() != null ? s.geofenceRadiusMeters() : RouteReleaser.DEFAULT_GEOFENCE_METERS,
                s.timeWindow(),
                PreparedRelease.policy(s),
                orders,
                status);
    }

    static StopView withStatus(StopView v, long version, String status) {
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

    /** The stop as a release would give it again (a reassignment re-releases a route's current content). */
    static StopSpec spec(StopView v) {
        return new StopSpec(
                v.stopId(),
                v.sequence(),
                v.address(),
                v.location(),
                v.geofenceRadiusMeters(),
                v.timeWindow(),
                v.proofPolicy(),
                v.orders(),
                RouteReleaser.CANCELLED.equals(v.status()));
    }

    /** A released stop's new row. */
    static StopRow releasedStop(
            ReleaseDiff.StopChange c,
            String routeId,
            String driver,
            StopView view,
            String json,
            PreparedRelease prepared,
            long now) {
        StopSpec spec = c.spec();
        return StopRow.builder()
                .stopId(spec.stopId())
                .routeId(routeId)
                .driverId(driver)
                .sequence(spec.sequence())
                .lat(spec.location().lat())
                .lon(spec.location().lon())
                .geofenceMeters(view.geofenceRadiusMeters())
                .status(c.status())
                .version(c.version())
                .contentHash(prepared.stopHashes().get(c.index()))
                .policyJson(prepared.policies().get(c.index()))
                .viewJson(json)
                .releasedAt(c.prev() == null ? now : c.prev().releasedAt())
                .updatedAt(now)
                .manifestSince(ReleaseDiff.manifestSince(c.prev(), view))
                .windowEnd(
                        spec.timeWindow() == null || spec.timeWindow().end() == null
                                ? null
                                : spec.timeWindow().end().toEpochMilli())
                .build();
    }

    /** A stored stop in a new status and version, its content as it was. */
    static StopRow copy(StopRow s, String status, long version, String hash, String viewJson, long now) {
        return s.toBuilder()
                .status(status)
                .version(version)
                .contentHash(hash)
                .viewJson(viewJson)
                .updatedAt(now)
                .build();
    }

    /** A released route's new row. */
    static RouteRow releasedRoute(
            String routeId,
            RouteRelease release,
            long version,
            PreparedRelease prepared,
            RouteRow existing,
            String json,
            String baseUrl,
            long now) {
        return RouteRow.builder()
                .routeId(routeId)
                .driverId(release.driverId())
                .vehicleId(release.vehicleId())
                .serviceDate(release.serviceDate().toString())
                .status(RouteReleaser.ACTIVE)
                .version(version)
                .contentHash(prepared.hash())
                .releasedAt(existing == null ? now : existing.releasedAt())
                .updatedAt(now)
                .viewJson(json)
                .releaseJson(prepared.releaseJson())
                .baseUrl(baseUrl != null ? baseUrl : existing == null ? null : existing.baseUrl())
                .build();
    }

    /** A stored route in a new status and version with a new view, released as it was. */
    static RouteRow changedRoute(
            RouteRow route, String status, String contentHash, String viewJson, String baseUrl, long now) {
        return route.toBuilder()
                .status(status)
                .version(route.version() + 1)
                .contentHash(contentHash)
                .updatedAt(now)
                .viewJson(viewJson)
                .baseUrl(baseUrl)
                .build();
    }

    /** The next version of a stored route's view with these stops, in this status. */
    static RouteView nextRouteView(RouteRow route, LocalDate serviceDate, String status, List<String> stopIds) {
        return new RouteView(
                route.routeId(),
                route.version() + 1,
                route.driverId(),
                route.vehicleId(),
                serviceDate,
                status,
                stopIds);
    }

    /**
     * The stored release no longer describes a route that lost a stop: a hash that no release has (the view's), so
     * that sending that release again applies it. (A 64-character column, like every hash.)
     */
    static String hashOfNoRelease(RouteView view) {
        return CanonicalJson.fingerprint(view);
    }
}
