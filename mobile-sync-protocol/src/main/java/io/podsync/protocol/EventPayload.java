package io.podsync.protocol;

import java.util.List;

/**
 * The details of a captured event. One shape for every type; which fields matter depends on the type:
 *
 * <ul>
 *   <li>delivered / partially_delivered: recipient, lines, evidence, location
 *   <li>failed: reasonCode (required), note, evidence, location
 *   <li>item_scanned: orderId, lineId, barcode, manualEntry
 *   <li>note: note
 *   <li>arrived / departed: location, odometerKm
 * </ul>
 *
 * @param odometerKm the vehicle's odometer in kilometres, on an arrival or departure (since 1.1; optional): the route's
 *     trip distance is the span of its readings
 */
public record EventPayload(
        Recipient recipient,
        List<LineOutcome> lines,
        GeoFix location,
        List<EvidenceRef> evidence,
        String reasonCode,
        String note,
        String orderId,
        String lineId,
        String barcode,
        Boolean manualEntry,
        java.math.BigDecimal odometerKm) {
    /** An empty payload. */
    public static final EventPayload EMPTY = new Builder().build();

    // Withers, so a payload reads as what it holds: EventPayload.EMPTY.withLines(...).withEvidence(...).

    public EventPayload withRecipient(Recipient recipient) {
        Builder b = new Builder(this);
        b.recipient = recipient;
        return b.build();
    }

    public EventPayload withLines(List<LineOutcome> lines) {
        Builder b = new Builder(this);
        b.lines = lines;
        return b.build();
    }

    public EventPayload withLocation(GeoFix location) {
        Builder b = new Builder(this);
        b.location = location;
        return b.build();
    }

    public EventPayload withEvidence(List<EvidenceRef> evidence) {
        Builder b = new Builder(this);
        b.evidence = evidence;
        return b.build();
    }

    public EventPayload withReasonCode(String reasonCode) {
        Builder b = new Builder(this);
        b.reasonCode = reasonCode;
        return b.build();
    }

    public EventPayload withNote(String note) {
        Builder b = new Builder(this);
        b.note = note;
        return b.build();
    }

    public EventPayload withOrderId(String orderId) {
        Builder b = new Builder(this);
        b.orderId = orderId;
        return b.build();
    }

    public EventPayload withLineId(String lineId) {
        Builder b = new Builder(this);
        b.lineId = lineId;
        return b.build();
    }

    public EventPayload withBarcode(String barcode) {
        Builder b = new Builder(this);
        b.barcode = barcode;
        return b.build();
    }

    public EventPayload withManualEntry(Boolean manualEntry) {
        Builder b = new Builder(this);
        b.manualEntry = manualEntry;
        return b.build();
    }

    public EventPayload withOdometerKm(java.math.BigDecimal odometerKm) {
        Builder b = new Builder(this);
        b.odometerKm = odometerKm;
        return b.build();
    }

    /** The fields of a payload, to change one: each wither sets one and builds. */
    private static final class Builder {
        private Recipient recipient;
        private List<LineOutcome> lines;
        private GeoFix location;
        private List<EvidenceRef> evidence;
        private String reasonCode;
        private String note;
        private String orderId;
        private String lineId;
        private String barcode;
        private Boolean manualEntry;
        private java.math.BigDecimal odometerKm;

        private Builder() {}

        private Builder(EventPayload p) {
            recipient = p.recipient;
            lines = p.lines;
            location = p.location;
            evidence = p.evidence;
            reasonCode = p.reasonCode;
            note = p.note;
            orderId = p.orderId;
            lineId = p.lineId;
            barcode = p.barcode;
            manualEntry = p.manualEntry;
            odometerKm = p.odometerKm;
        }

        EventPayload build() {
            return new EventPayload(
                    recipient,
                    lines,
                    location,
                    evidence,
                    reasonCode,
                    note,
                    orderId,
                    lineId,
                    barcode,
                    manualEntry,
                    odometerKm);
        }
    }
}
