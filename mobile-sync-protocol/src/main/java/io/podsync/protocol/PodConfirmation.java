package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * A proof-of-delivery confirmation for the ERP: the {@code data} of a CloudEvent. {@code confirmationId} is stable
 * across retries and replays (it is also the {@code webhook-id} header and the CloudEvent {@code id}): an ERP that
 * has seen it drops the message.
 *
 * @param kind {@code original}, or {@code correction} when a later event changed a stop's confirmed outcome
 * @param supersedes for a correction: the confirmationId it replaces
 * @param outcome {@code delivered}, {@code partially_delivered} or {@code failed}
 * @param finalOutcome true for every delivery, and for a failure that will not be re-attempted
 * @param reasonCode the failure reason (taxonomy code), {@code erpReasonCode} the same mapped to the ERP's codes
 * @param flags validation flags of the outcome event (accepted by operations when there were any)
 * @param capturedAt the device clock when the outcome was captured, as the device sent it
 * @param correctedAt the same moment on the server's clock: {@code capturedAt} corrected by the device's measured clock
 *     offset, and clamped when implausible (since 1.1)
 * @param stopVersion the version of the stop's manifest the lines are booked against: the one the driver confirmed,
 *     or the one operations chose (since 1.1)
 */
public record PodConfirmation(
        String confirmationId,
        String kind,
        String supersedes,
        String routeId,
        String stopId,
        String driverId,
        String deviceId,
        String outcomeEventKey,
        String outcome,
        int attempt,
        boolean finalOutcome,
        Instant capturedAt,
        Instant serverTime,
        Recipient recipient,
        GeoFix location,
        List<String> flags,
        String reasonCode,
        String erpReasonCode,
        List<ConfirmedOrder> orders,
        List<ConfirmedEvidence> evidence,
        String correlationId,
        Instant correctedAt,
        Long stopVersion) {

    /** An order at the stop with what happened to each line. */
    public record ConfirmedOrder(String orderId, boolean cancelled, List<ConfirmedLine> lines) {}

    /**
     * One line: ordered, delivered and refused quantities in the line's unit, with the discrepancy reason (taxonomy
     * code and the ERP's code).
     */
    public record ConfirmedLine(
            String lineId,
            String sku,
            String unit,
            java.math.BigDecimal ordered,
            java.math.BigDecimal delivered,
            java.math.BigDecimal refused,
            String reasonCode,
            String erpReasonCode) {}

    /** A piece of evidence, with a URL the ERP reads it from (with its ERP credentials). */
    public record ConfirmedEvidence(String sha256, String kind, String mediaType, String url) {}
}
