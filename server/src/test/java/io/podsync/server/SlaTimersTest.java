package io.podsync.server;

import static io.podsync.server.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.ErpEventType;
import io.podsync.protocol.EventType;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.TimeWindow;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SLA breaches become exceptions (and milestones) on their timers, and close themselves when the condition clears.
 * The server runs on a clock the test moves, and the test runs the checks itself.
 */
class SlaTimersTest {
    static final String SECRET = ErpForwardingTest.SECRET;

    @TempDir
    Path dir;

    MutableClock clock;
    ErpReceiver pod;
    ErpReceiver feed;
    TestServer server;

    /** The database of the test's server: SQLite under the test's directory, or PostgreSQL with {@link OnPostgres}. */
    Map<String, String> database() {
        return SuiteServer.database(getClass());
    }

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock();
        pod = ErpReceiver.start(0, List.of(SECRET), clock);
        feed = ErpReceiver.start(0, List.of(SECRET), clock);
        Map<String, String> c = new HashMap<>(database());
        c.putAll(TestServer.fastErp());
        c.putAll(TestServer.erpEndpoint(0, "pod", pod.url(), List.of(SECRET), List.of()));
        c.putAll(TestServer.erpEndpoint(
                1,
                "feed",
                feed.url(),
                List.of(SECRET),
                List.of(
                        ErpEventType.STOP_LATE.wire(),
                        ErpEventType.EXCEPTION_OPENED.wire(),
                        ErpEventType.EXCEPTION_RESOLVED.wire())));
        c.put("podsync.sla.stop-late-after", "PT5M");
        c.put("podsync.sla.route-dispatch-lead", "PT2H");
        c.put("podsync.sla.device-silent-after", "PT30M");
        c.put("podsync.sla.check-interval", "PT1H"); // the test checks by itself
        server = TestServer.start(dir, c, clock);
    }

    @AfterEach
    void stop() {
        server.close();
        pod.close();
        feed.close();
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Stops 1 and 2 of a route for {@code date}, each with a window ending at {@code end} (or none). */
    private void release(String routeId, String driver, LocalDate date, Instant end) {
        List<StopSpec> stops = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            StopSpec s = Fixtures.stop(routeId, i, ProofPolicy.NONE);
            stops.add(new StopSpec(
                    s.stopId(),
                    s.sequence(),
                    s.address(),
                    s.location(),
                    s.geofenceRadiusMeters(),
                    end == null ? null : new TimeWindow(end.minus(Duration.ofHours(1)), end),
                    s.proofPolicy(),
                    s.orders(),
                    false));
        }
        server.erp().releaseRoute(routeId, new RouteRelease(driver, "VAN", date, stops));
    }

    private void push(TestServer.Device d, long seq, EventType type, String stopId) {
        CapturedEvent e = Fixtures.event(
                UUID.randomUUID().toString(),
                seq,
                type,
                stopId,
                clock.instant(),
                type == EventType.DELIVERED ? Fixtures.fullDelivery(stopId.replace("-S", "-O")) : null);
        d.client().push(new PushRequest(clock.instant(), List.of(e)));
    }

    private List<ExceptionView> open(String kind) {
        return server.ops().exceptions("open", 1000).items().stream()
                .filter(x -> x.kind().equals(kind))
                .toList();
    }

    private ExceptionView only(String kind, String status) {
        List<ExceptionView> all = server.ops().exceptions(status, 1000).items().stream()
                .filter(x -> x.kind().equals(kind))
                .toList();
        assertEquals(1, all.size(), kind + " " + status + ": " + all);
        return all.get(0);
    }

    private List<String> feedTypes() {
        return feed.deliveries().stream().map(Delivery::type).toList();
    }

    @Test
    void aStopWhoseWindowEndedWithNoArrivalIsLateUntilTheDriverArrives() throws Exception {
        release("RL", "DL", today().plusDays(7), clock.instant().plus(Duration.ofMinutes(10)));
        TestServer.Device d = server.device("DL");
        server.server().sla().runOnce();
        clock.advance(Duration.ofMinutes(14)); // the window ended 4 minutes ago: within the grace
        server.server().sla().runOnce();
        assertTrue(open("stop_late").isEmpty());

        clock.advance(Duration.ofMinutes(2));
        server.server().sla().runOnce();
        server.server().sla().runOnce(); // once per breach, however often it is checked
        assertEquals(2, open("stop_late").size(), "both stops are late: one exception each");
        await(
                () -> feedTypes().stream()
                                .filter(t -> t.equals("io.podsync.stop.late.v1"))
                                .count()
                        == 2,
                "two late");

        // Stop 1: the driver arrives late. Stop 2: delivered at once; a late stop never holds its confirmation.
        push(d, 1, EventType.ARRIVED, "RL-S1");
        push(d, 2, EventType.DELIVERED, "RL-S2");
        await(() -> pod.deliveries().size() == 1, "the late stop's confirmation, not held");
        server.server().sla().runOnce();
        assertTrue(open("stop_late").isEmpty(), "both closed themselves");
        List<ExceptionView> resolved = server.ops().exceptions("resolved", 1000).items().stream()
                .filter(x -> x.kind().equals("stop_late"))
                .toList();
        assertEquals(2, resolved.size());
        resolved.forEach(x -> {
            assertEquals("cleared", x.resolution());
            assertEquals("system", x.resolvedBy());
        });
        await(
                () -> feedTypes().stream()
                                .filter(t -> t.equals("io.podsync.exception.resolved.v1"))
                                .count()
                        == 2,
                "the resolutions in the feed");
    }

    @Test
    void aRouteNobodyPickedUpIsReportedBeforeItsServiceDateAndClearedByThePull() {
        release("RN", "DN", today(), null); // starts at midnight: already within the 2 h lead
        release("RF", "DF", today().plusDays(3), null); // far off: not yet
        server.server().sla().runOnce();
        ExceptionView x = only("route_not_dispatched", "open");
        assertEquals("RN", x.routeId());
        assertEquals(List.of("route_not_dispatched", "service_date:" + today()), x.codes());

        // A device of another driver pulling changes nothing; the route's own driver's device clears it.
        server.device("SOMEONE").client().pull(null, 100);
        server.server().sla().runOnce();
        only("route_not_dispatched", "open");
        server.device("DN").client().pull(null, 100);
        server.server().sla().runOnce();
        assertEquals("cleared", only("route_not_dispatched", "resolved").resolution());
        assertTrue(open("route_not_dispatched").isEmpty());
    }

    @Test
    void aDeviceWithARouteInProgressThatStopsSyncingIsSilentUntilItSyncsAgain() {
        release("RS", "DS", today(), null);
        TestServer.Device d = server.device("DS");
        d.client().pull(null, 100);
        push(d, 1, EventType.ARRIVED, "RS-S1"); // started; stop 2 still to do
        clock.advance(Duration.ofMinutes(29));
        server.server().sla().runOnce();
        assertTrue(open("device_silent").isEmpty());
        clock.advance(Duration.ofMinutes(2));
        server.server().sla().runOnce();
        ExceptionView x = only("device_silent", "open");
        assertEquals(d.id(), x.deviceId());
        assertEquals("RS", x.routeId());

        d.client().pull(null, 100); // a pull is a sync too
        server.server().sla().runOnce();
        assertEquals("cleared", only("device_silent", "resolved").resolution());

        // Silent again, then the route finishes on another phone: nothing is in progress any more.
        clock.advance(Duration.ofMinutes(31));
        server.server().sla().runOnce();
        assertEquals(1, open("device_silent").size());
        push(server.device("DS"), 1, EventType.DELIVERED, "RS-S2");
        push(server.device("DS"), 1, EventType.DELIVERED, "RS-S1");
        server.server().sla().runOnce();
        assertTrue(open("device_silent").isEmpty(), "no route in progress: the silence no longer matters");
    }
}
