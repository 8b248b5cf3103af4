package io.podsync.server;

import static io.podsync.server.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.ErpEventType;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.PushRequest;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The milestone stream: each endpoint receives the types it subscribes to and no other, signed, in order per stop;
 * the default endpoint sees proof of delivery only, as before; and a milestone stuck at an endpoint never holds a
 * proof of delivery of the same stop.
 */
class MilestoneStreamTest {
    static final String SECRET = ErpForwardingTest.SECRET;
    static final List<String> FEED = Stream.of(
                    ErpEventType.ROUTE_RELEASED,
                    ErpEventType.ROUTE_AMENDED,
                    ErpEventType.ROUTE_CANCELLED,
                    ErpEventType.ROUTE_DISPATCHED,
                    ErpEventType.ROUTE_COMPLETED,
                    ErpEventType.STOP_ARRIVED,
                    ErpEventType.STOP_DEPARTED,
                    ErpEventType.EXCEPTION_OPENED,
                    ErpEventType.EXCEPTION_RESOLVED)
            .map(ErpEventType::wire)
            .toList();

    @TempDir
    Path dir;

    ErpReceiver pod;
    ErpReceiver feed;
    ErpReceiver both;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        pod = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        feed = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        both = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        Map<String, String> c = new HashMap<>(TestServer.fastErp());
        c.putAll(TestServer.erpEndpoint(0, "pod", pod.url(), List.of(SECRET), List.of()));
        c.putAll(TestServer.erpEndpoint(1, "feed", feed.url(), List.of(SECRET), FEED));
        c.putAll(TestServer.erpEndpoint(
                2,
                "both",
                both.url(),
                List.of(SECRET),
                List.of(ErpEventType.STOP_ARRIVED.wire(), ErpEventType.POD_DELIVERED.wire())));
        server = TestServer.start(dir, c);
    }

    @AfterEach
    void stop() {
        server.close();
        pod.close();
        feed.close();
        both.close();
    }

    private static void push(TestServer.Device d, CapturedEvent... events) {
        d.client().push(new PushRequest(Instant.now(), List.of(events)));
    }

    private static CapturedEvent at(long seq, EventType type, String stop, Instant t, EventPayload p) {
        return Fixtures.event(UUID.randomUUID().toString(), seq, type, stop, t, p);
    }

    private static EventPayload odometer(String km) {
        return EventPayload.EMPTY.withOdometerKm(new BigDecimal(km));
    }

    private static List<String> types(ErpReceiver r) {
        return r.deliveries().stream().map(Delivery::type).toList();
    }

    private static List<String> typesOf(ErpReceiver r, String subject) {
        return r.deliveries().stream()
                .filter(d -> subject.equals(d.subject()))
                .map(Delivery::type)
                .toList();
    }

    @Test
    void eachEndpointGetsItsTypesOnlySignedAndInOrderPerStop() throws Exception {
        server.erp().releaseRoute("RM", Fixtures.route("RM", "DM", 2));
        TestServer.Device d = server.device("DM");
        d.client().pull(null, 1000);
        d.client().pull(null, 1000); // the same version again: dispatched once
        // Within the tolerance before the release; in milliseconds, as the server keeps times.
        Instant t = Instant.ofEpochMilli(System.currentTimeMillis() - 200_000);

        push(d, at(1, EventType.ARRIVED, "RM-S1", t, odometer("100")));
        push(d, at(2, EventType.DEPARTED, "RM-S1", t.plusSeconds(60), odometer("101.5")));
        push(d, at(3, EventType.DELIVERED, "RM-S1", t.plusSeconds(30), Fixtures.fullDelivery("RM-O1")));
        push(d, at(4, EventType.ARRIVED, "RM-S2", t.plusSeconds(120), odometer("105")));
        CapturedEvent tooMuch = at(
                5,
                EventType.DELIVERED,
                "RM-S2",
                t.plusSeconds(150),
                EventPayload.EMPTY.withLines(List.of(
                        new LineOutcome("RM-O2", "L1", new BigDecimal("5"), null, null, true),
                        new LineOutcome("RM-O2", "L2", new BigDecimal("2"), null, null, true))));
        push(d, tooMuch);
        long flagged = server.ops().exceptions("open", 100).items().stream()
                .filter(x -> "RM-S2".equals(x.stopId()))
                .findFirst()
                .orElseThrow()
                .id();
        server.ops().resolveException(flagged, "accepted", "the customer took a fifth case");

        await(() -> types(feed).contains(ErpEventType.ROUTE_COMPLETED.wire()), "the route completed");
        await(() -> pod.deliveries().size() == 2, "both confirmations");
        // Partitions are independent: the stop's milestones may still be on their way.
        await(() -> typesOf(feed, "stops/RM-S2").size() == 3, "the milestones of the second stop");
        assertEquals(List.of("io.podsync.pod.delivered.v1", "io.podsync.pod.delivered.v1"), types(pod));

        // The feed has exactly its types, each once, and no proof of delivery.
        assertEquals(
                List.of(
                        "io.podsync.route.released.v1",
                        "io.podsync.route.dispatched.v1",
                        "io.podsync.route.completed.v1"),
                typesOf(feed, "routes/RM"));
        assertEquals(
                List.of("io.podsync.stop.arrived.v1", "io.podsync.stop.departed.v1"),
                typesOf(feed, "stops/RM-S1"),
                "in the order they happened at the stop");
        assertEquals(
                List.of(
                        "io.podsync.stop.arrived.v1",
                        "io.podsync.exception.opened.v1",
                        "io.podsync.exception.resolved.v1"),
                typesOf(feed, "stops/RM-S2"));
        assertTrue(types(feed).stream().noneMatch(t2 -> t2.startsWith("io.podsync.pod.")));
        assertEquals(0, pod.rejected() + feed.rejected() + both.rejected(), "every message signed");

        JsonNode dispatched = feed.deliveries().stream()
                .filter(x -> x.type().equals("io.podsync.route.dispatched.v1"))
                .findFirst()
                .orElseThrow()
                .data();
        assertEquals(d.id(), dispatched.get("deviceId").asText());
        assertEquals(1, dispatched.get("routeVersion").asLong());
        JsonNode arrival = feed.deliveries().stream()
                .filter(x -> x.type().equals("io.podsync.stop.arrived.v1")
                        && x.subject().equals("stops/RM-S1"))
                .findFirst()
                .orElseThrow()
                .data();
        assertEquals(
                0, new BigDecimal("100").compareTo(arrival.get("odometerKm").decimalValue()));
        assertEquals(t, Instant.parse(arrival.get("at").asText()));
        JsonNode trip = feed.deliveries().stream()
                .filter(x -> x.type().equals("io.podsync.route.completed.v1"))
                .findFirst()
                .orElseThrow()
                .data()
                .get("trip");
        assertEquals(2, trip.get("stops").asInt());
        assertEquals(2, trip.get("delivered").asInt());
        assertEquals(0, trip.get("failed").asInt());
        assertEquals(0, new BigDecimal("5").compareTo(trip.get("distanceKm").decimalValue()), trip.toString());
        assertEquals(t, Instant.parse(trip.get("start").asText()));
        assertEquals(t.plusSeconds(150), Instant.parse(trip.get("end").asText()));

        server.erp().releaseRoute("RM", Fixtures.route("RM", "DM", 3));
        server.erp().cancelRoute("RM");
        await(() -> typesOf(feed, "routes/RM").size() == 5, "amended and cancelled");
        assertEquals(
                List.of("io.podsync.route.amended.v1", "io.podsync.route.cancelled.v1"),
                typesOf(feed, "routes/RM").subList(3, 5));
    }

    /** The default endpoint's integrations see no change: proof of delivery only, whatever else happens. */
    @Test
    void theDefaultSubscriptionIsProofOfDeliveryOnly() throws Exception {
        server.erp().releaseRoute("RD", Fixtures.route("RD", "DD", 1));
        TestServer.Device d = server.device("DD");
        d.client().pull(null, 1000);
        Instant t = Instant.now().minusSeconds(60);
        push(
                d,
                at(1, EventType.ARRIVED, "RD-S1", t, null),
                at(2, EventType.FAILED, "RD-S1", t.plusSeconds(5), EventPayload.EMPTY.withReasonCode("REFUSED")));
        await(() -> pod.deliveries().size() == 1, "the failure");
        await(() -> typesOf(feed, "stops/RD-S1").size() == 1, "the arrival in the feed");
        Await.nothingFor(Duration.ofMillis(300), () -> types(pod).size() > 1, "a second message to the POD endpoint");
        assertEquals(List.of("io.podsync.pod.failed.v1"), types(pod));
    }

    /**
     * Milestones keep their own order per stop: an arrival dead at an endpoint holds later milestones of its stop, but
     * never the stop's proof of delivery to the same endpoint.
     */
    @Test
    void aDeadMilestoneNeverHoldsTheProofOfDelivery() throws Exception {
        server.erp().releaseRoute("RH", Fixtures.route("RH", "DH", 1));
        TestServer.Device d = server.device("DH");
        both.behavior().failNext(5, 500);
        Instant t = Instant.now().minusSeconds(60);
        push(d, at(1, EventType.ARRIVED, "RH-S1", t, null));
        await(
                () -> server.outbox("?status=dead").get("items").size() == 1,
                "the arrival dead after every attempt failed");
        push(d, at(2, EventType.DELIVERED, "RH-S1", t.plusSeconds(30), Fixtures.fullDelivery("RH-O1")));
        await(() -> types(both).contains("io.podsync.pod.delivered.v1"), "the delivery, past the dead arrival");
        assertTrue(!types(both).contains("io.podsync.stop.arrived.v1"));
    }
}
