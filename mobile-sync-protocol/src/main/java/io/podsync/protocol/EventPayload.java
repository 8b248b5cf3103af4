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
 *   <li>arrived / departed: location
 * </ul>
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
        Boolean manualEntry) {
    /** An empty payload. */
    public static final EventPayload EMPTY =
            new EventPayload(null, null, null, null, null, null, null, null, null, null);
}
