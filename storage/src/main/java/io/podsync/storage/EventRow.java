package io.podsync.storage;

/** One event of the append-only log. {@code flags} is a comma-separated list. */
public record EventRow(
        String deviceId,
        String idempotencyKey,
        long seq,
        String driverId,
        String stopId,
        String routeId,
        String type,
        int attempt,
        long capturedAt,
        long correctedAt,
        long receivedAt,
        long clockOffsetMs,
        String verdict,
        String flags,
        String fingerprint,
        String payloadJson) {}
