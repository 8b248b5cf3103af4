package io.podsync.server;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.TimeWindow;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Routes and events for tests. Stop {@code i} of route {@code r} is {@code r-S<i>} at a fixed point per stop. */
final class Fixtures {
    static final double BASE_LAT = 52.37;
    static final double BASE_LON = 4.89;

    private Fixtures() {}

    static StopSpec stop(String routeId, int i, ProofPolicy policy) {
        return new StopSpec(
                routeId + "-S" + i,
                i,
                i + " Main Street",
                new GeoPoint(BASE_LAT + i * 0.01, BASE_LON),
                100.0,
                new TimeWindow(null, null),
                policy,
                List.of(new OrderSpec(
                        routeId + "-O" + i,
                        List.of(
                                new LineSpec("L1", "SKU-1", "Water 6x1.5l", new BigDecimal("4"), "case"),
                                new LineSpec("L2", "SKU-2", "Apples 1kg", new BigDecimal("2"), "bag")),
                        false)),
                false);
    }

    static RouteRelease route(String routeId, String driverId, int stops) {
        List<StopSpec> list = new ArrayList<>();
        for (int i = 1; i <= stops; i++) {
            list.add(stop(routeId, i, ProofPolicy.NONE));
        }
        return new RouteRelease(driverId, "VAN-1", LocalDate.of(2026, 11, 23), list);
    }

    static GeoFix at(String routeId, int stop) {
        return new GeoFix(BASE_LAT + stop * 0.01, BASE_LON, 10.0);
    }

    static CapturedEvent event(String key, long seq, EventType type, String stopId, Instant at, EventPayload payload) {
        return new CapturedEvent(key, seq, type, stopId, 1, at, payload);
    }

    static CapturedEvent arrived(long seq, String stopId, Instant at) {
        return event(UUID.randomUUID().toString(), seq, EventType.ARRIVED, stopId, at, null);
    }

    static EventPayload fullDelivery(String orderId) {
        return EventPayload.EMPTY.withLines(List.of(
                new LineOutcome(orderId, "L1", new BigDecimal("4"), null, null, true),
                new LineOutcome(orderId, "L2", new BigDecimal("2"), null, null, true)));
    }

    /** A full delivery at stop {@code i} of route {@code r} (attempt 1, seq {@code i}) that references a JPEG photo. */
    static CapturedEvent deliveryWithPhoto(String routeId, int i, String sha256) {
        return event(
                UUID.randomUUID().toString(),
                i,
                EventType.DELIVERED,
                routeId + "-S" + i,
                Instant.now().minusSeconds(5),
                fullDelivery(routeId + "-O" + i)
                        .withEvidence(List.of(new io.podsync.protocol.EvidenceRef(
                                sha256, io.podsync.protocol.EvidenceKind.PHOTO, "image/jpeg"))));
    }
}
