package io.podsync.server.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.StopView;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.RouteRow;
import io.podsync.storage.StopRow;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deciding steps of a route release on their own: no server, no database. */
class ReleaseStepsTest {
    private static StopSpec spec(String id, int sequence, String qty, boolean cancelled) {
        return new StopSpec(
                id,
                sequence,
                "1 Main Street",
                new GeoPoint(52.0, 13.0),
                null,
                null,
                null,
                List.of(new OrderSpec(
                        "O-" + id, List.of(new LineSpec("L1", "SKU", "Water", new BigDecimal(qty), "case")), false)),
                cancelled);
    }

    /** The stop as a release of {@code spec} to {@code route} and {@code driver} stored it, at {@code version}. */
    private static StopRow stored(StopSpec spec, String route, String driver, long version, long manifestSince) {
        PreparedRelease p =
                PreparedRelease.of(new RouteRelease(driver, "V", LocalDate.of(2026, 11, 23), List.of(spec)));
        String status = spec.isCancelled() ? RouteReleaser.CANCELLED : RouteReleaser.ACTIVE;
        String view = ProtocolJson.toString(RouteViews.stopView(route, version, spec, status));
        return StopRow.builder()
                .stopId(spec.stopId())
                .routeId(route)
                .driverId(driver)
                .sequence(spec.sequence())
                .lat(52.0)
                .lon(13.0)
                .geofenceMeters(150.0)
                .status(status)
                .version(version)
                .contentHash(p.stopHashes().get(0))
                .policyJson(p.policies().get(0))
                .viewJson(view)
                .releasedAt(1)
                .updatedAt(1)
                .manifestSince(manifestSince)
                .build();
    }

    @Test
    void theSameContentAgainIsANoOpOnlyForAnActiveRoute() {
        RouteRow route = RouteRow.builder()
                .routeId("R1")
                .driverId("D1")
                .status("active")
                .version(3)
                .contentHash("h1")
                .build();
        assertTrue(ReleaseDiff.unchanged(route, "h1"));
        assertFalse(ReleaseDiff.unchanged(route, "h2"));
        assertFalse(ReleaseDiff.unchanged(null, "h1"));
        RouteRow cancelled = route.toBuilder().status("cancelled").build();
        assertFalse(ReleaseDiff.unchanged(cancelled, "h1"));
    }

    @Test
    void onlyStopsThatDifferGetANewVersion() {
        StopSpec same = spec("S1", 1, "4", false);
        StopSpec more = spec("S2", 2, "5", false);
        StopSpec cancelledNow = spec("S3", 3, "1", true);
        StopSpec fresh = spec("S4", 4, "1", false);
        StopSpec fromOtherRoute = spec("S5", 5, "1", false);
        StopSpec fromOtherDriver = spec("S6", 6, "1", false);
        List<StopSpec> specs = List.of(same, more, cancelledNow, fresh, fromOtherRoute, fromOtherDriver);
        Map<String, StopRow> previous = Map.of(
                "S1", stored(same, "R1", "D1", 2, 1),
                "S2", stored(spec("S2", 2, "4", false), "R1", "D1", 2, 1),
                "S3", stored(spec("S3", 3, "1", false), "R1", "D1", 1, 1),
                "S5", stored(fromOtherRoute, "R9", "D1", 7, 1),
                "S6", stored(fromOtherDriver, "R1", "D2", 4, 1));
        PreparedRelease p = PreparedRelease.of(new RouteRelease("D1", "V", LocalDate.of(2026, 11, 23), specs));

        List<ReleaseDiff.StopChange> changes = ReleaseDiff.changes("R1", "D1", specs, p.stopHashes(), previous);

        assertEquals(
                List.of("S2", "S3", "S4", "S5", "S6"),
                changes.stream().map(c -> c.spec().stopId()).toList());
        assertEquals(
                List.of(3L, 2L, 1L, 8L, 5L),
                changes.stream().map(ReleaseDiff.StopChange::version).toList());
        assertEquals(
                List.of(1, 2, 3, 4, 5),
                changes.stream().map(ReleaseDiff.StopChange::index).toList());
        assertEquals(RouteReleaser.CANCELLED, changes.get(1).status());
        assertEquals(
                List.of(false, false, false, true, false),
                changes.stream().map(ReleaseDiff.StopChange::moved).toList());
        assertEquals(
                List.of(false, false, false, false, true),
                changes.stream().map(ReleaseDiff.StopChange::handedOver).toList());
        assertNull(changes.get(2).prev());
    }

    @Test
    void stopsNoLongerListedAreGoneUnlessRemovedAlready() {
        StopRow kept = stored(spec("S1", 1, "1", false), "R1", "D1", 1, 1);
        StopRow dropped = stored(spec("S2", 2, "1", false), "R1", "D1", 1, 1);
        StopRow removed = RouteViews.copy(
                stored(spec("S3", 3, "1", false), "R1", "D1", 1, 1), RouteReleaser.REMOVED, 2, "h", "{}", 5);
        assertEquals(
                List.of(dropped),
                ReleaseDiff.gone(List.of(kept, dropped, removed), List.of(spec("S1", 1, "1", false))));
    }

    @Test
    void theManifestVersionMovesOnlyWhenGoodsOrPlaceChange() {
        StopSpec before = spec("S1", 1, "4", false);
        StopRow prev = stored(before, "R1", "D1", 3, 2);
        StopSpec resequenced = spec("S1", 9, "4", false);
        StopSpec moreGoods = spec("S1", 1, "5", false);
        StopView sameGoods = RouteViews.stopView("R1", 4, resequenced, RouteReleaser.ACTIVE);
        StopView otherGoods = RouteViews.stopView("R1", 4, moreGoods, RouteReleaser.ACTIVE);
        assertEquals(2, ReleaseDiff.manifestSince(prev, sameGoods), "a new sequence keeps the manifest");
        assertEquals(4, ReleaseDiff.manifestSince(prev, otherGoods));
        assertEquals(4, ReleaseDiff.manifestSince(null, sameGoods));
    }

    @Test
    void stopsAreListedInDrivingOrderAndViewsFillDefaults() {
        assertEquals(
                List.of("A", "B", "C"),
                ReleaseDiff.stopOrder(
                        List.of(spec("C", 2, "1", false), spec("B", 1, "1", false), spec("A", 1, "1", false))));
        StopView view = RouteViews.stopView("R1", 1, spec("S1", 1, "1", false), RouteReleaser.ACTIVE);
        assertEquals(RouteReleaser.DEFAULT_GEOFENCE_METERS, view.geofenceRadiusMeters());
        assertEquals(ProofPolicy.NONE, view.proofPolicy());
        assertEquals(
                spec("S1", 1, "1", true).stopId(),
                RouteViews.spec(RouteViews.withStatus(view, 2, "cancelled")).stopId());
        assertTrue(RouteViews.spec(RouteViews.withStatus(view, 2, "cancelled")).isCancelled());
    }
}
