package io.podsync.simulator.fleet;

import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.Recipient;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fleet's routes and what each driver does at each stop. Every stop asks for a signature, a photo and a name, and
 * every planned outcome provides them with the exact stop location, so a correct server raises no exception for it:
 * whatever the verdict finds open was caused by sync, not by the plan.
 */
final class StopPlans {
    static final BigDecimal L1_QTY = new BigDecimal("4");
    static final BigDecimal L2_QTY = new BigDecimal("2");
    private static final ProofPolicy POLICY = new ProofPolicy(true, 1, false, true, null);

    private StopPlans() {}

    static String stopId(String routeId, int i) {
        return routeId + "-S" + i;
    }

    static String orderId(String routeId, int i) {
        return routeId + "-O" + i;
    }

    static GeoPoint location(int driver, int i) {
        return new GeoPoint(52.0 + driver * 0.05 + i * 0.002, 4.9);
    }

    static StopSpec stop(String routeId, int driver, int i) {
        return new StopSpec(
                stopId(routeId, i),
                i,
                i + " Simulator Street",
                location(driver, i),
                150.0,
                null,
                POLICY,
                List.of(new OrderSpec(
                        orderId(routeId, i),
                        List.of(
                                new LineSpec("L1", "SKU-1", "Water 6x1.5l", L1_QTY, "case"),
                                new LineSpec("L2", "SKU-2", "Apples 1kg", L2_QTY, "bag")),
                        false)),
                false);
    }

    static RouteRelease route(String routeId, String driverId, int driver, int stops) {
        List<StopSpec> list = new ArrayList<>();
        for (int i = 1; i <= stops; i++) {
            list.add(stop(routeId, driver, i));
        }
        return new RouteRelease(driverId, "VAN-" + driver, LocalDate.now(), list);
    }

    /**
     * Per stop: arrive, scan both lines, then mostly a full delivery; sometimes a partial one (one case DAMAGED), and
     * sometimes NO_ONE_HOME followed by a second attempt that delivers.
     */
    static List<Action> plan(String routeId, int driver, int stops, Random rng) {
        List<Action> out = new ArrayList<>();
        for (int i = 1; i <= stops; i++) {
            String stop = stopId(routeId, i);
            String order = orderId(routeId, i);
            GeoPoint p = location(driver, i);
            GeoFix at = new GeoFix(p.lat(), p.lon(), 8.0);
            double kind = rng.nextDouble();
            int attempt = 1;
            out.add(simple(EventType.ARRIVED, stop, attempt, at));
            if (kind < 0.15) {
                Artifact photo = Artifact.photo(rng);
                EventPayload failed = EventPayload.EMPTY
                        .withLocation(at)
                        .withEvidence(List.of(photo.ref()))
                        .withReasonCode("NO_ONE_HOME")
                        .withNote("nobody answered");
                out.add(new Action(EventType.FAILED, stop, attempt, failed, List.of(photo)));
                attempt = 2;
                out.add(simple(EventType.ARRIVED, stop, attempt, at));
            }
            out.add(scan(stop, attempt, order, "L1"));
            out.add(scan(stop, attempt, order, "L2"));
            boolean partial = kind >= 0.15 && kind < 0.30;
            List<LineOutcome> lines = partial
                    ? List.of(
                            new LineOutcome(
                                    order, "L1", L1_QTY.subtract(BigDecimal.ONE), BigDecimal.ONE, "DAMAGED", true),
                            new LineOutcome(order, "L2", L2_QTY, null, null, true))
                    : List.of(
                            new LineOutcome(order, "L1", L1_QTY, null, null, true),
                            new LineOutcome(order, "L2", L2_QTY, null, null, true));
            Artifact sig = Artifact.signature(rng);
            Artifact photo = Artifact.photo(rng);
            EventPayload delivered = EventPayload.EMPTY
                    .withRecipient(new Recipient("Recipient " + stop, null))
                    .withLines(lines)
                    .withLocation(at)
                    .withEvidence(List.of(sig.ref(), photo.ref()));
            out.add(new Action(
                    partial ? EventType.PARTIALLY_DELIVERED : EventType.DELIVERED,
                    stop,
                    attempt,
                    delivered,
                    List.of(sig, photo)));
        }
        return out;
    }

    private static Action simple(EventType type, String stop, int attempt, GeoFix at) {
        return new Action(type, stop, attempt, EventPayload.EMPTY.withLocation(at), List.of());
    }

    private static Action scan(String stop, int attempt, String order, String line) {
        return new Action(
                EventType.ITEM_SCANNED,
                stop,
                attempt,
                EventPayload.EMPTY
                        .withOrderId(order)
                        .withLineId(line)
                        .withBarcode(order + "/" + line)
                        .withManualEntry(false),
                List.of());
    }
}
