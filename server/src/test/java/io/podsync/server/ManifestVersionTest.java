package io.podsync.server;

import static io.podsync.server.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.ExceptionResolution;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.StopView;
import io.podsync.protocol.TimeWindow;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClientException;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An outcome is read against the manifest the driver saw. The driver pulls stop S (orders O5: L1 qty 2 and O6: L1 qty
 * 1) and goes offline; the ERP amends the stop; the driver delivers with no lines ("everything as ordered"). When the
 * amendment touches what the delivery asserts, the event is flagged {@code manifest_changed}, nothing reaches the ERP,
 * and ops see both versions and say which one to book. Apps that send {@code stopVersion} and apps that do not (the
 * server uses the version the device had pulled before the capture) get the same protection.
 */
class ManifestVersionTest {
    static final String SECRET = ErpForwardingTest.SECRET;

    static ErpReceiver erp;
    static TestServer server;
    static int run = 0;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        erp = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        alsoClose.add(erp);
        server = TestServer.start(dir, TestServer.withErp(db, erp.url(), SECRET));
        return server;
    });

    private static StopSpec stop(String id, List<OrderSpec> orders, TimeWindow window) {
        return new StopSpec(
                id,
                1,
                "1 Main Street",
                new GeoPoint(Fixtures.BASE_LAT, Fixtures.BASE_LON),
                100.0,
                window,
                ProofPolicy.NONE,
                orders,
                false);
    }

    private static OrderSpec order(String id, String qty, boolean cancelled) {
        return new OrderSpec(
                id, List.of(new LineSpec("L1", "SKU-" + id, "Goods", new BigDecimal(qty), "ea")), cancelled);
    }

    /** What one story ended with: the delivery's verdict, and its stop and route. */
    record Story(EventResult result, String routeId, String stopId, CapturedEvent delivery) {}

    /**
     * Releases a stop with O5 (qty 2) and O6 (qty 1), lets a device pull it, amends it, and delivers without lines
     * against what the device saw.
     *
     * @param explicit whether the app sends {@code stopVersion} (1.1) or leaves it out (1.0)
     * @param pullAfterAmendment whether the device pulled the amendment before the driver delivered
     */
    private static Story story(UnaryOperator<StopSpec> amend, boolean explicit, boolean pullAfterAmendment) {
        int n = ++run;
        String routeId = "RM" + n;
        String stopId = routeId + "-S1";
        String driver = "DM" + n;
        StopSpec first = stop(
                stopId,
                List.of(order(routeId + "-O5", "2", false), order(routeId + "-O6", "1", false)),
                new TimeWindow(null, null));
        server.erp().releaseRoute(routeId, new RouteRelease(driver, "VAN", LocalDate.now(), List.of(first)));
        TestServer.Device d = server.device(driver);
        long seen = versionPulled(d, stopId);
        assertEquals(1, seen);
        server.erp()
                .releaseRoute(routeId, new RouteRelease(driver, "VAN", LocalDate.now(), List.of(amend.apply(first))));
        if (pullAfterAmendment) {
            seen = versionPulled(d, stopId);
        }
        CapturedEvent delivery = new CapturedEvent(
                UUID.randomUUID().toString(),
                1L,
                EventType.DELIVERED,
                stopId,
                1,
                Instant.now(),
                EventPayload.EMPTY,
                explicit ? seen : null);
        EventResult r = d.client()
                .push(new PushRequest(Instant.now(), List.of(delivery)))
                .results()
                .get(0);
        return new Story(r, routeId, stopId, delivery);
    }

    /** Pulls everything and returns the version of the stop the device now has. */
    private static long versionPulled(TestServer.Device d, String stopId) {
        long version = -1;
        String cursor = null;
        do {
            var page = d.client().pull(cursor, 1000);
            for (var c : page.changes()) {
                if (c.kind().equals("stop") && c.id().equals(stopId) && c.data() != null) {
                    version = c.data().get("version").asLong();
                }
            }
            cursor = page.hasMore() ? page.cursor() : null;
        } while (cursor != null);
        return version;
    }

    private static StopSpec withOrders(StopSpec s, List<OrderSpec> orders) {
        return new StopSpec(
                s.stopId(),
                s.sequence(),
                s.address(),
                s.location(),
                s.geofenceRadiusMeters(),
                s.timeWindow(),
                s.proofPolicy(),
                orders,
                s.cancelled());
    }

    private static final UnaryOperator<StopSpec> CANCEL_O6 = s -> withOrders(
            s,
            List.of(
                    s.orders().get(0),
                    new OrderSpec(s.orders().get(1).orderId(), s.orders().get(1).lines(), true)));
    private static final UnaryOperator<StopSpec> REMOVE_O6 =
            s -> withOrders(s, List.of(s.orders().get(0)));
    private static final UnaryOperator<StopSpec> O5_TO_1 = s -> withOrders(
            s,
            List.of(order(s.orders().get(0).orderId(), "1", false), s.orders().get(1)));
    private static final UnaryOperator<StopSpec> NEW_WINDOW = s -> new StopSpec(
            s.stopId(),
            s.sequence(),
            s.address(),
            s.location(),
            s.geofenceRadiusMeters(),
            new TimeWindow(Instant.now().plusSeconds(3600), Instant.now().plusSeconds(7200)),
            s.proofPolicy(),
            s.orders(),
            s.cancelled());

    private static void assertHeld(Story s) throws InterruptedException {
        assertEquals(Verdict.APPLIED, s.result().verdict());
        assertEquals(List.of(EventFlags.MANIFEST_CHANGED), s.result().flags());
        ExceptionView x = manifestQuestion(s);
        assertEquals(List.of(EventFlags.MANIFEST_CHANGED), x.codes());
        assertEquals(1, x.findings().size());
        assertEquals(1L, x.findings().get(0).stopVersion());
        Await.nothingFor(
                Duration.ofMillis(300), () -> !deliveriesOf(s.stopId()).isEmpty(), "a delivery while ops decide");
    }

    private static ExceptionView manifestQuestion(Story s) {
        long id = server.ops().exceptions("open", 1000).items().stream()
                .filter(x -> x.kind().equals("manifest_changed") && s.stopId().equals(x.stopId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no manifest_changed exception for " + s.stopId()))
                .id();
        return server.ops().exception(id);
    }

    private static List<Delivery> deliveriesOf(String stopId) {
        return erp.deliveries().stream()
                .filter(d -> ("stops/" + stopId).equals(d.subject()))
                .toList();
    }

    private static JsonNode awaitDelivery(String stopId) throws InterruptedException {
        await(() -> deliveriesOf(stopId).size() == 1, "the confirmation of " + stopId);
        return deliveriesOf(stopId).get(0).data();
    }

    private static BigDecimal delivered(JsonNode data, int order) {
        return data.get("orders")
                .get(order)
                .get("lines")
                .get(0)
                .get("delivered")
                .decimalValue();
    }

    @Test
    void aCancelledOrderHoldsADeliveryWithoutLinesAndOpsBookTheVersionTheDriverSaw() throws Exception {
        Story s = story(CANCEL_O6, true, false);
        assertHeld(s);
        ExceptionView x = manifestQuestion(s);
        List<StopView> manifests = x.manifests();
        assertEquals(List.of(1L, 2L), manifests.stream().map(StopView::version).toList(), "both versions side by side");
        assertEquals(false, manifests.get(0).orders().get(1).cancelled());
        assertEquals(true, manifests.get(1).orders().get(1).cancelled());

        PodsyncClientException missing = assertThrows(
                PodsyncClientException.class, () -> server.ops().resolveException(x.id(), "accepted", "ok"));
        assertEquals(400, missing.status());
        PodsyncClientException unknown = assertThrows(
                PodsyncClientException.class,
                () -> server.ops().resolveException(x.id(), new ExceptionResolution("accepted", null, 7L)));
        assertEquals(400, unknown.status());

        ExceptionView resolved =
                server.ops().resolveException(x.id(), new ExceptionResolution("accepted", "driver had v1", 1L));
        assertEquals(1L, resolved.stopVersion());
        JsonNode data = awaitDelivery(s.stopId());
        assertEquals(1, data.get("stopVersion").asLong());
        assertEquals(0, new BigDecimal("2").compareTo(delivered(data, 0)));
        assertEquals(0, BigDecimal.ONE.compareTo(delivered(data, 1)), "O6 handed over, as the driver confirmed");
        assertTrue(!data.get("orders").get(1).get("cancelled").asBoolean());
    }

    @Test
    void anOldAppThatHadNotPulledTheCancellationGetsTheSameProtection() throws Exception {
        Story s = story(CANCEL_O6, false, false);
        assertHeld(s);
        ExceptionView x = manifestQuestion(s);
        // Ops book the amended version: O6 cancelled, nothing of it delivered.
        server.ops().resolveException(x.id(), new ExceptionResolution("accepted", null, 2L));
        JsonNode data = awaitDelivery(s.stopId());
        assertEquals(2, data.get("stopVersion").asLong());
        assertEquals(0, BigDecimal.ZERO.compareTo(delivered(data, 1)));
        assertTrue(data.get("orders").get(1).get("cancelled").asBoolean());
    }

    @Test
    void theOnlyOrderCancelledIsHeldForBothKindsOfApp() throws Exception {
        UnaryOperator<StopSpec> only = s -> withOrders(
                s,
                List.of(new OrderSpec(
                        s.orders().get(0).orderId(), s.orders().get(0).lines(), true)));
        UnaryOperator<StopSpec> single = s -> withOrders(s, List.of(s.orders().get(0)));
        for (boolean explicit : List.of(true, false)) {
            Story s = story(st -> only.apply(single.apply(st)), explicit, false);
            assertHeld(s);
        }
    }

    @Test
    void aRemovedOrderHoldsTheDeliveryForBothKindsOfApp() throws Exception {
        assertHeld(story(REMOVE_O6, true, false));
        assertHeld(story(REMOVE_O6, false, false));
    }

    @Test
    void aChangedQuantityHoldsTheDeliveryForBothKindsOfApp() throws Exception {
        Story s = story(O5_TO_1, true, false);
        assertHeld(s);
        assertHeld(story(O5_TO_1, false, false));
        server.ops().resolveException(manifestQuestion(s).id(), new ExceptionResolution("dismissed", null, 1L));
        JsonNode data = awaitDelivery(s.stopId());
        assertEquals(0, new BigDecimal("2").compareTo(delivered(data, 0)), "the 2 the driver saw, not the amended 1");
    }

    @Test
    void aNewTimeWindowDoesNotMatterToADelivery() throws Exception {
        for (boolean explicit : List.of(true, false)) {
            Story s = story(NEW_WINDOW, explicit, false);
            assertEquals(Verdict.APPLIED, s.result().verdict());
            assertNull(s.result().flags(), "no flag for a change that touches nothing the delivery asserts");
            JsonNode data = awaitDelivery(s.stopId());
            assertEquals(0, new BigDecimal("2").compareTo(delivered(data, 0)));
        }
    }

    @Test
    void aDeviceThatPulledTheAmendmentBeforeDeliveringIsNotAsked() throws Exception {
        for (boolean explicit : List.of(true, false)) {
            Story s = story(CANCEL_O6, explicit, true);
            assertNull(s.result().flags(), "the driver saw version 2 (explicitly or by pulling it)");
            JsonNode data = awaitDelivery(s.stopId());
            assertEquals(2, data.get("stopVersion").asLong());
            assertEquals(0, BigDecimal.ZERO.compareTo(delivered(data, 1)));
        }
    }

    @Test
    void aStopVersionTheStopNeverHadIsRefused() {
        int n = ++run;
        String routeId = "RM" + n;
        server.erp().releaseRoute(routeId, Fixtures.route(routeId, "DM" + n, 1));
        TestServer.Device d = server.device("DM" + n);
        CapturedEvent e = new CapturedEvent(
                UUID.randomUUID().toString(), 1L, EventType.ARRIVED, routeId + "-S1", 1, Instant.now(), null, 5L);
        EventResult r = d.client()
                .push(new PushRequest(Instant.now(), new ArrayList<>(List.of(e))))
                .results()
                .get(0);
        assertEquals(Verdict.REJECTED, r.verdict());
        assertEquals("out_of_range", r.reason());
        assertEquals("events[0].stopVersion", r.field());
    }
}
