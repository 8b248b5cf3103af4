package io.podsync.protocol.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.Limits;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.TimeWindow;
import io.podsync.protocol.Violation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Structural validation of protocol v1 records. Every method returns all violations found, empty when valid. */
public final class ProtocolValidator {
    private ProtocolValidator() {}

    /** A route release; {@code routeId} comes from the path. */
    public static List<Violation> validateRelease(String routeId, RouteRelease release) {
        Checks c = new Checks();
        c.id(routeId, "routeId", Limits.MAX_ID_LENGTH);
        c.id(release.driverId(), "driverId", Limits.MAX_ID_LENGTH);
        if (release.vehicleId() != null) {
            c.id(release.vehicleId(), "vehicleId", Limits.MAX_ID_LENGTH);
        }
        if (c.required(release.serviceDate(), "serviceDate")) {
            c.date(release.serviceDate(), "serviceDate");
        }
        if (c.required(release.stops(), "stops") && c.count(release.stops(), "stops", Limits.MAX_STOPS_PER_ROUTE)) {
            Set<String> stopIds = new HashSet<>();
            Set<String> orderIds = new HashSet<>();
            for (int i = 0; i < release.stops().size(); i++) {
                stop(c, release.stops().get(i), "stops[" + i + "]", stopIds, orderIds);
            }
        }
        return c.violations();
    }

    private static void stop(Checks c, StopSpec s, String at, Set<String> stopIds, Set<String> orderIds) {
        if (!c.required(s, at)) {
            return;
        }
        c.id(s.stopId(), at + ".stopId", Limits.MAX_ID_LENGTH);
        if (s.stopId() != null && !stopIds.add(s.stopId())) {
            c.add(ViolationCodes.DUPLICATE_ID, at + ".stopId", "stop " + s.stopId() + " appears twice");
        }
        if (c.required(s.sequence(), at + ".sequence")) {
            c.range(s.sequence(), at + ".sequence", 0, 100_000);
        }
        c.text(s.address(), at + ".address", Limits.MAX_TEXT_LENGTH);
        point(c, s.location(), at + ".location", true);
        if (s.geofenceRadiusMeters() != null) {
            c.range(s.geofenceRadiusMeters(), at + ".geofenceRadiusMeters", 1, Limits.MAX_GEOFENCE_METERS);
        }
        TimeWindow w = s.timeWindow();
        if (w != null) {
            c.time(w.start(), at + ".timeWindow.start");
            c.time(w.end(), at + ".timeWindow.end");
        }
        if (w != null && w.start() != null && w.end() != null && w.end().isBefore(w.start())) {
            c.add(ViolationCodes.INCONSISTENT, at + ".timeWindow.end", "the window ends before it starts");
        }
        ProofPolicy p = s.proofPolicy();
        if (p != null) {
            c.range(p.minPhotos(), at + ".proofPolicy.minPhotos", 0, Limits.MAX_REQUIRED_PHOTOS);
            c.range(p.minimumAge(), at + ".proofPolicy.minimumAge", 0, 120);
        }
        if (c.required(s.orders(), at + ".orders") && c.count(s.orders(), at + ".orders", Limits.MAX_ORDERS_PER_STOP)) {
            for (int i = 0; i < s.orders().size(); i++) {
                order(c, s.orders().get(i), at + ".orders[" + i + "]", orderIds);
            }
        }
    }

    private static void order(Checks c, OrderSpec o, String at, Set<String> orderIds) {
        if (!c.required(o, at)) {
            return;
        }
        c.id(o.orderId(), at + ".orderId", Limits.MAX_ID_LENGTH);
        if (o.orderId() != null && !orderIds.add(o.orderId())) {
            c.add(ViolationCodes.DUPLICATE_ID, at + ".orderId", "order " + o.orderId() + " appears twice in the route");
        }
        if (c.required(o.lines(), at + ".lines") && c.count(o.lines(), at + ".lines", Limits.MAX_LINES_PER_ORDER)) {
            Set<String> lineIds = new HashSet<>();
            for (int i = 0; i < o.lines().size(); i++) {
                LineSpec l = o.lines().get(i);
                String lat = at + ".lines[" + i + "]";
                if (!c.required(l, lat)) {
                    continue;
                }
                c.id(l.lineId(), lat + ".lineId", Limits.MAX_ID_LENGTH);
                if (l.lineId() != null && !lineIds.add(l.lineId())) {
                    c.add(ViolationCodes.DUPLICATE_ID, lat + ".lineId", "line " + l.lineId() + " appears twice");
                }
                c.text(l.sku(), lat + ".sku", Limits.MAX_TEXT_LENGTH);
                c.text(l.description(), lat + ".description", Limits.MAX_TEXT_LENGTH);
                c.text(l.unit(), lat + ".unit", Limits.MAX_TEXT_LENGTH);
                if (c.required(l.quantity(), lat + ".quantity")) {
                    c.quantity(l.quantity(), lat + ".quantity");
                }
            }
        }
    }

    private static void point(Checks c, GeoPoint p, String at, boolean required) {
        if (p == null) {
            if (required) {
                c.required(null, at);
            }
            return;
        }
        if (c.required(p.lat(), at + ".lat")) {
            c.range(p.lat(), at + ".lat", -90, 90);
        }
        if (c.required(p.lon(), at + ".lon")) {
            c.range(p.lon(), at + ".lon", -180, 180);
        }
    }

    /** One captured event at position {@code at} (e.g. {@code events[3]}). */
    public static List<Violation> validateEvent(CapturedEvent e, String at) {
        Checks c = new Checks();
        c.id(e.idempotencyKey(), at + ".idempotencyKey", Limits.MAX_ID_LENGTH);
        if (c.required(e.seq(), at + ".seq")) {
            c.range(e.seq(), at + ".seq", 1, Long.MAX_VALUE);
        }
        c.required(e.type(), at + ".type");
        c.id(e.stopId(), at + ".stopId", Limits.MAX_ID_LENGTH);
        c.range(e.attempt(), at + ".attempt", 1, Limits.MAX_ATTEMPT);
        if (c.required(e.capturedAt(), at + ".capturedAt")) {
            c.time(e.capturedAt(), at + ".capturedAt");
        }
        c.range(e.stopVersion(), at + ".stopVersion", 1, Long.MAX_VALUE);
        EventPayload p = e.payload();
        if (p == null) {
            return c.violations();
        }
        String pat = at + ".payload";
        if (p.recipient() != null) {
            c.text(p.recipient().name(), pat + ".recipient.name", Limits.MAX_TEXT_LENGTH);
        }
        if (c.count(p.lines(), pat + ".lines", Limits.MAX_LINES_PER_EVENT) && p.lines() != null) {
            for (int i = 0; i < p.lines().size(); i++) {
                LineOutcome l = p.lines().get(i);
                String lat = pat + ".lines[" + i + "]";
                if (!c.required(l, lat)) {
                    continue;
                }
                c.id(l.orderId(), lat + ".orderId", Limits.MAX_ID_LENGTH);
                c.id(l.lineId(), lat + ".lineId", Limits.MAX_ID_LENGTH);
                c.quantity(l.delivered(), lat + ".delivered");
                c.quantity(l.refused(), lat + ".refused");
                c.text(l.reasonCode(), lat + ".reasonCode", Limits.MAX_TEXT_LENGTH);
            }
        }
        GeoFix g = p.location();
        if (g != null) {
            if (c.required(g.lat(), pat + ".location.lat")) {
                c.range(g.lat(), pat + ".location.lat", -90, 90);
            }
            if (c.required(g.lon(), pat + ".location.lon")) {
                c.range(g.lon(), pat + ".location.lon", -180, 180);
            }
            c.range(g.accuracyMeters(), pat + ".location.accuracyMeters", 0, 100_000);
        }
        if (c.count(p.evidence(), pat + ".evidence", Limits.MAX_EVIDENCE_PER_EVENT) && p.evidence() != null) {
            for (int i = 0; i < p.evidence().size(); i++) {
                EvidenceRef r = p.evidence().get(i);
                String rat = pat + ".evidence[" + i + "]";
                if (c.required(r, rat)) {
                    c.sha256(r.sha256(), rat + ".sha256");
                    c.required(r.kind(), rat + ".kind");
                    c.text(r.mediaType(), rat + ".mediaType", 100);
                }
            }
        }
        c.text(p.reasonCode(), pat + ".reasonCode", Limits.MAX_TEXT_LENGTH);
        c.quantity(p.odometerKm(), pat + ".odometerKm");
        c.text(p.note(), pat + ".note", Limits.MAX_NOTE_LENGTH);
        c.text(p.barcode(), pat + ".barcode", Limits.MAX_TEXT_LENGTH);
        if (p.orderId() != null) {
            c.id(p.orderId(), pat + ".orderId", Limits.MAX_ID_LENGTH);
        }
        if (p.lineId() != null) {
            c.id(p.lineId(), pat + ".lineId", Limits.MAX_ID_LENGTH);
        }
        return c.violations();
    }

    /**
     * What binding cannot see in a raw event: a line that gives its refused quantity twice, under its name ({@code
     * refused}) and under its protocol 1.0 name ({@code rejected}), which binding would quietly reduce to one.
     */
    public static List<Violation> validateEventJson(JsonNode raw, String at) {
        Checks c = new Checks();
        JsonNode lines = raw.path("payload").path("lines");
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = lines.get(i);
            if (line.hasNonNull("refused") && line.hasNonNull("rejected")) {
                String field = at + ".payload.lines[" + i + "].rejected";
                c.add(ViolationCodes.INCONSISTENT, field, field + " is the old name of refused: send one of them");
            }
        }
        return c.violations();
    }

    /** An identifier on its own (a path parameter, a driver id in a request). */
    public static List<Violation> validateId(String value, String field) {
        Checks c = new Checks();
        c.id(value, field, Limits.MAX_ID_LENGTH);
        return c.violations();
    }
}
