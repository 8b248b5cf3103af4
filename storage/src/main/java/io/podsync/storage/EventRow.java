package io.podsync.storage;

/**
 * One pushed event and its verdict. For a rejected event the fields that did not parse are null. {@code flags} is a
 * comma-separated list; {@code expiresAt} is set for rows that are receipts only (rejected events). {@code stopVersion}
 * is the stop version the event was captured against (null when unknown and not needed); {@code resolution} how
 * operations resolved the exception the event was attached to.
 */
public record EventRow(
        String deviceId,
        long seq,
        String idempotencyKey,
        String driverId,
        String stopId,
        String routeId,
        String type,
        int attempt,
        Long capturedAt,
        Long correctedAt,
        long receivedAt,
        long clockOffsetMs,
        String verdict,
        String reason,
        String field,
        String flags,
        String fingerprint,
        long feedSeq,
        Long expiresAt,
        String payloadJson,
        String correlationId,
        Long stopVersion,
        String resolution) {
    /** The same row with its change-feed position. */
    public EventRow withFeedSeq(long position) {
        return new EventRow(
                deviceId,
                seq,
                idempotencyKey,
                driverId,
                stopId,
                routeId,
                type,
                attempt,
                capturedAt,
                correctedAt,
                receivedAt,
                clockOffsetMs,
                verdict,
                reason,
                field,
                flags,
                fingerprint,
                position,
                expiresAt,
                payloadJson,
                correlationId,
                stopVersion,
                resolution);
    }
}
