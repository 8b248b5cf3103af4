package io.podsync.server.sync;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.ReasonCode;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.StopRow;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The business checks of an event against its stop. Each finding is a flag that travels with the event; nothing here
 * drops an event. Every check looks at the event and the stop only, never at other events, so an event's flags do
 * not depend on what else arrived first.
 */
final class EventChecks {
    private static final double EARTH_RADIUS_M = 6_371_008.8;

    private EventChecks() {}

    /**
     * @param lines the stop's order lines by {@code orderId/lineId}
     * @param policy the stop's proof policy
     */
    static List<String> flags(CapturedEvent e, StopRow stop, ProofPolicy policy, Map<String, OrderLineRow> lines) {
        Set<String> flags = new LinkedHashSet<>();
        if (!stop.isActive()) {
            flags.add(EventFlags.STOP_NOT_ON_ROUTE);
        }
        EventPayload p = e.payloadOrEmpty();
        GeoFix fix = p.location();
        if (fix != null && stop.lat() != null && stop.lon() != null && stop.geofenceMeters() != null) {
            double d = distanceMeters(fix.lat(), fix.lon(), stop.lat(), stop.lon());
            double accuracy = fix.accuracyMeters() == null ? 0 : fix.accuracyMeters();
            if (d > stop.geofenceMeters() + accuracy) {
                flags.add(EventFlags.OUTSIDE_GEOFENCE);
            }
        }
        EventType type = e.type();
        if (type == EventType.DELIVERED || type == EventType.PARTIALLY_DELIVERED) {
            lineFlags(p, lines, flags);
            proofFlags(p, policy, flags);
        } else if (type == EventType.FAILED) {
            if (p.reasonCode() == null) {
                flags.add(EventFlags.REASON_MISSING);
            } else if (ReasonCode.find(p.reasonCode()) == null) {
                flags.add(EventFlags.UNKNOWN_REASON_CODE);
            }
        }
        return new ArrayList<>(flags);
    }

    private static void lineFlags(EventPayload p, Map<String, OrderLineRow> lines, Set<String> flags) {
        if (p.lines() == null) {
            return;
        }
        Set<String> reported = new HashSet<>();
        for (LineOutcome l : p.lines()) {
            reported.add(lineKey(l.orderId(), l.lineId()));
            OrderLineRow ordered = lines.get(lineKey(l.orderId(), l.lineId()));
            BigDecimal delivered = l.delivered() == null ? BigDecimal.ZERO : l.delivered();
            BigDecimal rejected = l.refused() == null ? BigDecimal.ZERO : l.refused();
            if (ordered == null) {
                flags.add(EventFlags.UNKNOWN_LINE);
                continue;
            }
            if (ordered.cancelled()) {
                if (delivered.signum() > 0) {
                    flags.add(EventFlags.ORDER_CANCELLED);
                }
                continue; // nothing was due, so a shortfall is no discrepancy
            }
            if (delivered.compareTo(ordered.quantity()) > 0) {
                flags.add(EventFlags.QUANTITY_EXCEEDS_ORDERED);
            }
            boolean discrepancy = delivered.compareTo(ordered.quantity()) != 0 || rejected.signum() > 0;
            if (l.reasonCode() != null) {
                if (ReasonCode.find(l.reasonCode()) == null) {
                    flags.add(EventFlags.UNKNOWN_REASON_CODE);
                }
            } else if (discrepancy) {
                flags.add(EventFlags.DISCREPANCY_WITHOUT_REASON);
            }
        }
        // An app that lists only the lines with a discrepancy would otherwise book every other line as not delivered.
        for (Map.Entry<String, OrderLineRow> e : lines.entrySet()) {
            if (!e.getValue().cancelled() && !reported.contains(e.getKey())) {
                flags.add(EventFlags.LINE_NOT_REPORTED);
                break;
            }
        }
    }

    private static void proofFlags(EventPayload p, ProofPolicy policy, Set<String> flags) {
        List<EvidenceRef> evidence = p.evidence() == null ? List.of() : p.evidence();
        if (policy.requiresSignature() && evidence.stream().noneMatch(r -> r.kind() == EvidenceKind.SIGNATURE)) {
            flags.add(EventFlags.proof("signature"));
        }
        long photos =
                evidence.stream().filter(r -> r.kind() == EvidenceKind.PHOTO).count();
        if (photos < policy.requiredPhotos()) {
            flags.add(EventFlags.proof("photos"));
        }
        if (policy.requiresRecipientName()
                && (p.recipient() == null
                        || p.recipient().name() == null
                        || p.recipient().name().isBlank())) {
            flags.add(EventFlags.proof("recipient_name"));
        }
        if (policy.minimumAge() != null
                && policy.minimumAge() > 0
                && (p.recipient() == null || !Boolean.TRUE.equals(p.recipient().ageVerified()))) {
            flags.add(EventFlags.proof("age_check"));
        }
        // No lines reported (absent or empty) means no scans to show: the policy cannot be met that way.
        if (policy.requiresScans()
                && (p.lines() == null
                        || p.lines().isEmpty()
                        || p.lines().stream().anyMatch(l -> !Boolean.TRUE.equals(l.scanned())))) {
            flags.add(EventFlags.proof("scans"));
        }
    }

    /** Ids may contain '/', so the key joins them with a character ids cannot contain. */
    static String lineKey(String orderId, String lineId) {
        return orderId + '\u0000' + lineId;
    }

    /** Great-circle distance (haversine). */
    static double distanceMeters(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(lat1))
                        * Math.cos(Math.toRadians(lat2))
                        * Math.sin(dLon / 2)
                        * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
    }
}
