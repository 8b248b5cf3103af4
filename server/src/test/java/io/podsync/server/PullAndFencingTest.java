package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.Change;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RejectReasons;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Delta pull (paging, tombstones, cursors) and who may see and touch which route. */
class PullAndFencingTest {
    static final MutableClock CLOCK = new MutableClock();
    static TestServer server;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        server = TestServer.start(dir, db, CLOCK);
        return server;
    });

    /** Pulls every page from the cursor on, returning all changes and the final cursor. */
    private static List<Change> drain(TestServer.Device d, String[] cursor, int pageSize) {
        List<Change> all = new ArrayList<>();
        PullResponse page;
        do {
            page = d.client().pull(cursor[0], pageSize);
            assertTrue(page.changes().size() <= pageSize);
            all.addAll(page.changes());
            cursor[0] = page.cursor();
        } while (page.hasMore());
        return all;
    }

    @Test
    void pagesCoverEveryChangeOnceAndThenOnlyWhatChanged() {
        server.erp().releaseRoute("RP", Fixtures.route("RP", "DP", 25));
        TestServer.Device d = server.device("DP");
        String[] cursor = {null};
        List<Change> all = drain(d, cursor, 7);
        assertEquals(26, all.size()); // 1 route + 25 stops
        Set<String> ids = new HashSet<>();
        all.forEach(c -> assertTrue(ids.add(c.kind() + "/" + c.id()), "seen twice: " + c.id()));

        // Amend: stop 3 changes, stop 25 is removed, stop 26 is new.
        RouteRelease r = Fixtures.route("RP", "DP", 26);
        List<StopSpec> stops = new ArrayList<>(r.stops());
        StopSpec s3 = stops.get(2);
        stops.set(
                2,
                new StopSpec(
                        s3.stopId(),
                        s3.sequence(),
                        "3 Other Street",
                        s3.location(),
                        s3.geofenceRadiusMeters(),
                        s3.timeWindow(),
                        s3.proofPolicy(),
                        s3.orders(),
                        false));
        stops.remove(24);
        assertEquals(
                2,
                server.erp()
                        .releaseRoute("RP", new RouteRelease("DP", "VAN-1", r.serviceDate(), stops))
                        .version());

        List<Change> delta = drain(d, cursor, 7);
        Map<String, Change> byId = new java.util.HashMap<>();
        delta.forEach(c -> byId.put(c.kind() + "/" + c.id(), c));
        assertEquals(Set.of("route/RP", "stop/RP-S3", "stop/RP-S25", "stop/RP-S26"), byId.keySet());
        assertTrue(byId.get("stop/RP-S25").deleted());
        assertFalse(byId.get("stop/RP-S3").deleted());
        assertEquals(
                "3 Other Street", byId.get("stop/RP-S3").data().get("address").asText());
        assertTrue(drain(d, cursor, 7).isEmpty());

        // Cancelling the route tombstones it and its stops.
        server.erp().cancelRoute("RP");
        List<Change> cancelled = drain(d, cursor, 100);
        assertTrue(cancelled.stream().allMatch(Change::deleted));
        assertEquals(26, cancelled.size());
    }

    @Test
    void theSameReleaseTwiceChangesNothing() {
        RouteRelease r = Fixtures.route("RSame", "DSame", 2);
        assertTrue(server.erp().releaseRoute("RSame", r).changed());
        var again = server.erp().releaseRoute("RSame", r);
        assertFalse(again.changed());
        assertEquals(1, again.version());
    }

    @Test
    void aForgedForeignOrExpiredCursorAsksForAResync() {
        server.erp().releaseRoute("RC", Fixtures.route("RC", "DC", 1));
        TestServer.Device a = server.device("DC");
        TestServer.Device b = server.device("DC");
        String cursorOfA = a.client().pull(null, 10).cursor();

        PodsyncClientException foreign =
                assertThrows(PodsyncClientException.class, () -> b.client().pull(cursorOfA, 10));
        assertEquals(410, foreign.status());
        assertEquals("cursor_invalid", foreign.code());
        assertTrue(foreign.isResyncRequired());

        String forged = cursorOfA.replaceFirst("c1\\.[0-9a-z]+\\.", "c1.0.");
        assertEquals(
                "cursor_invalid",
                assertThrows(PodsyncClientException.class, () -> a.client().pull(forged, 10))
                        .code());
        assertEquals(
                "cursor_invalid",
                assertThrows(PodsyncClientException.class, () -> a.client().pull("garbage", 10))
                        .code());

        CLOCK.advance(Duration.ofDays(31));
        try {
            a.client().authenticate(); // the old token expired with the jump
            PodsyncClientException expired =
                    assertThrows(PodsyncClientException.class, () -> a.client().pull(cursorOfA, 10));
            assertEquals("cursor_expired", expired.code());
            // Resync from scratch works and returns the manifest again.
            assertEquals(2, a.client().pull(null, 10).changes().size());
        } finally {
            CLOCK.advance(Duration.ofDays(-31));
            a.client().authenticate();
        }
    }

    @Test
    void aDriverNeverSeesOrTouchesAnotherDriversRoute() {
        server.erp().releaseRoute("RA", Fixtures.route("RA", "DA", 2));
        server.erp().releaseRoute("RB", Fixtures.route("RB", "DB", 2));
        TestServer.Device a = server.device("DA");

        PodsyncClientException e =
                assertThrows(PodsyncClientException.class, () -> a.client().route("RB"));
        assertEquals(403, e.status());
        assertEquals("route_not_assigned", e.code());
        assertEquals(
                403,
                assertThrows(PodsyncClientException.class, () -> a.client().route("nonexistent"))
                        .status());
        assertEquals("RA", a.client().route("RA").route().routeId());

        assertTrue(a.client().pull(null, 100).changes().stream().noneMatch(c -> c.id().startsWith("RB")));

        EventResult r = a.client()
                .push(new PushRequest(Instant.now(), List.of(Fixtures.arrived(1, "RB-S1", Instant.now()))))
                .results()
                .get(0);
        assertEquals(Verdict.REJECTED, r.verdict());
        assertEquals(RejectReasons.STOP_NOT_ASSIGNED, r.reason());
        assertEquals("pending", server.erp().route("RB").states().get(0).status());

        // Drivers cannot release routes or read the exception queue.
        assertEquals(
                403,
                assertThrows(
                                PodsyncClientException.class,
                                () -> a.client().releaseRoute("RX", Fixtures.route("RX", "DA", 1)))
                        .status());
        assertEquals(
                403,
                assertThrows(PodsyncClientException.class, () -> a.client().exceptions("open", 10))
                        .status());
    }

    @Test
    void reassignmentFencesTheOldDriver() {
        server.erp().releaseRoute("RF", Fixtures.route("RF", "DF1", 2));
        TestServer.Device old = server.device("DF1");
        TestServer.Device fresh = server.device("DF2");
        String[] oldCursor = {null};
        drain(old, oldCursor, 100);
        Instant t = Instant.now().minusSeconds(30);
        assertEquals(
                Verdict.APPLIED,
                old.client()
                        .push(new PushRequest(Instant.now(), List.of(Fixtures.arrived(1, "RF-S1", t))))
                        .results()
                        .get(0)
                        .verdict());

        server.erp().reassignRoute("RF", "DF2", null);

        // The old driver's device is told the route and its stops are gone.
        List<Change> gone = drain(old, oldCursor, 100);
        assertTrue(gone.stream().anyMatch(c -> c.kind().equals(Change.ROUTE) && c.id().equals("RF") && c.deleted()));
        assertTrue(gone.stream().filter(c -> c.kind().equals(Change.STOP)).allMatch(Change::deleted));
        assertEquals(
                403,
                assertThrows(PodsyncClientException.class, () -> old.client().route("RF"))
                        .status());

        // The old driver's later delivery is fenced: stored, not counted, and in front of a person.
        String key = UUID.randomUUID().toString();
        EventResult late = old.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                key,
                                2,
                                EventType.DELIVERED,
                                "RF-S1",
                                t.plusSeconds(10),
                                Fixtures.fullDelivery("RF-O1")))))
                .results()
                .get(0);
        assertEquals(Verdict.REASSIGNED, late.verdict());
        assertEquals(RejectReasons.STOP_REASSIGNED, late.reason());
        assertEquals("arrived", server.erp().route("RF").states().get(0).status());
        List<ExceptionView> open = server.ops().exceptions("open", 1000).items();
        assertTrue(open.stream().anyMatch(x -> x.kind().equals("reassigned_event") && key.equals(x.idempotencyKey())));

        // The new driver sees the route, and the stop as the old driver left it (arrived), and completes it.
        List<Change> handed = fresh.client().pull(null, 100).changes();
        assertTrue(handed.stream().anyMatch(c -> c.id().equals("RF")));
        assertEquals(
                List.of("arrived"),
                handed.stream()
                        .filter(c -> c.kind().equals(Change.STOP_STATE) && c.id().equals("RF-S1"))
                        .map(c -> c.data().get("status").asText())
                        .toList());
        EventResult done = fresh.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                UUID.randomUUID().toString(),
                                1,
                                EventType.DELIVERED,
                                "RF-S1",
                                t.plusSeconds(20),
                                Fixtures.fullDelivery("RF-O1")))))
                .results()
                .get(0);
        assertEquals(Verdict.APPLIED, done.verdict());
        assertEquals("delivered", server.erp().route("RF").states().get(0).status());
        // The handed-over state kept what it was folded from: the old driver's arrival still counts.
        assertEquals(
                Instant.ofEpochMilli(t.toEpochMilli()),
                server.erp().route("RF").states().get(0).arrivedAt());
    }

    @Test
    void aStopMovedToAnotherRouteFencesItsOldDriverOnly() {
        server.erp().releaseRoute("RM1", Fixtures.route("RM1", "DM1", 2));
        TestServer.Device one = server.device("DM1");
        StopSpec moved = Fixtures.route("RM1", "DM1", 2).stops().get(1); // RM1-S2
        server.erp()
                .releaseRoute(
                        "RM2", new RouteRelease("DM2", "VAN-2", java.time.LocalDate.of(2026, 11, 23), List.of(moved)));
        assertEquals(List.of("RM1-S1"), server.erp().route("RM1").route().stopIds());
        assertEquals(2, server.erp().route("RM1").route().version());
        EventResult r = one.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                UUID.randomUUID().toString(),
                                1,
                                EventType.FAILED,
                                "RM1-S2",
                                Instant.now(),
                                EventPayload.EMPTY.withReasonCode("NO_ACCESS")))))
                .results()
                .get(0);
        assertEquals(Verdict.REASSIGNED, r.verdict());
    }

    @Test
    void reassignKeepsTheRouteAsItIsNowAndRefusesACancelledRoute() {
        server.erp().releaseRoute("RQ1", Fixtures.route("RQ1", "DQ1", 2));
        StopSpec moved = Fixtures.route("RQ1", "DQ1", 2).stops().get(1);
        server.erp()
                .releaseRoute(
                        "RQ2", new RouteRelease("DQ2", "VAN-2", java.time.LocalDate.of(2026, 11, 23), List.of(moved)));
        server.erp().reassignRoute("RQ1", "DQ3", null);
        assertEquals(List.of("RQ1-S1"), server.erp().route("RQ1").route().stopIds());
        assertEquals(List.of("RQ1-S2"), server.erp().route("RQ2").route().stopIds(), "the moved stop stays moved");
        assertEquals("DQ2", server.erp().route("RQ2").route().driverId());
        server.erp().cancelRoute("RQ1");
        PodsyncClientException e =
                assertThrows(PodsyncClientException.class, () -> server.erp().reassignRoute("RQ1", "DQ4", null));
        assertEquals(409, e.status());
        assertEquals("route_cancelled", e.code());
        assertEquals(
                400,
                assertThrows(
                                PodsyncClientException.class,
                                () -> server.erp().reassignRoute("RQ2", "DQ4", "bad vehicle id"))
                        .status());
    }
}
