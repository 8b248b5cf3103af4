package io.podsync.server.sync;

import io.podsync.protocol.EventType;
import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ReasonCode;
import io.podsync.protocol.StopView;
import java.util.List;
import java.util.Objects;

/**
 * What an outcome asserts about a stop's manifest, and whether a change between two versions of it touches that. A
 * delivery asserts the goods (every order and line, their quantities, units and cancellations: with no lines reported
 * it says "everything as ordered") and the place it was handed over (address and location). A failure asserts the
 * place; one with reason {@code REFUSED} also the goods (the ERP books the refused quantities). A new time window,
 * geofence radius, proof policy or position in the route touches no outcome.
 */
public final class Manifests {
    private Manifests() {}

    /** Whether two versions of a stop have the same goods and place, so no outcome can tell them apart. */
    public static boolean sameContent(StopView a, StopView b) {
        return sameGoods(a, b) && samePlace(a, b);
    }

    /** Whether an outcome of this type (and failure reason) captured against {@code seen} asserts what {@code now} changed. */
    static boolean touches(EventType type, String reasonCode, StopView seen, StopView now) {
        if (!samePlace(seen, now)) {
            return true;
        }
        boolean goods = type != EventType.FAILED || ReasonCode.find(reasonCode) == ReasonCode.REFUSED;
        return goods && !sameGoods(seen, now);
    }

    static boolean samePlace(StopView a, StopView b) {
        return Objects.equals(a.address(), b.address()) && samePoint(a.location(), b.location());
    }

    private static boolean samePoint(GeoPoint a, GeoPoint b) {
        return a == null || b == null ? a == b : Objects.equals(a.lat(), b.lat()) && Objects.equals(a.lon(), b.lon());
    }

    static boolean sameGoods(StopView a, StopView b) {
        List<OrderSpec> x = a.orders() == null ? List.of() : a.orders();
        List<OrderSpec> y = b.orders() == null ? List.of() : b.orders();
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!sameOrder(x.get(i), y.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameOrder(OrderSpec a, OrderSpec b) {
        if (!a.orderId().equals(b.orderId())
                || a.isCancelled() != b.isCancelled()
                || a.lines().size() != b.lines().size()) {
            return false;
        }
        for (int i = 0; i < a.lines().size(); i++) {
            LineSpec l = a.lines().get(i);
            LineSpec m = b.lines().get(i);
            if (!l.lineId().equals(m.lineId())
                    || !Objects.equals(l.sku(), m.sku())
                    || !Objects.equals(l.unit(), m.unit())
                    || l.quantity().compareTo(m.quantity()) != 0) {
                return false;
            }
        }
        return true;
    }
}
