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
    public static final EventPayload EMPTY =
            new EventPayload(null, null, null, null, null, null, null, null, null, null, null);

    // Withers, so a payload reads as what it holds: EventPayload.EMPTY.withLines(...).withEvidence(...).

    public EventPayload withRecipient(Recipient recipient) {
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

    public EventPayload withLines(List<LineOutcome> lines) {
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

    public EventPayload withLocation(GeoFix location) {
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

    public EventPayload withEvidence(List<EvidenceRef> evidence) {
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

    public EventPayload withReasonCode(String reasonCode) {
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

    public EventPayload withNote(String note) {
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

    public EventPayload withOrderId(String orderId) {
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

    public EventPayload withLineId(String lineId) {
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

    public EventPayload withBarcode(String barcode) {
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

    public EventPayload withManualEntry(Boolean manualEntry) {
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

    public EventPayload withOdometerKm(java.math.BigDecimal odometerKm) {
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
