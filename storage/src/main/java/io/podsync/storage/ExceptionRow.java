package io.podsync.storage;

/**
 * A business exception. {@code dedupeKey} names its subject and kind: at most one open exception holds it, and the
 * findings behind it ({@link FindingRow}) are attached to that one. {@code codes} is a comma-separated list (the union
 * of its findings' codes); {@code deviceId} and {@code idempotencyKey} are those of its first finding. {@code
 * stopVersion}: the manifest version operations chose to book the outcome against (manifest_changed), or null.
 */
public record ExceptionRow(
        long exceptionId,
        String dedupeKey,
        String kind,
        String status,
        String codes,
        String routeId,
        String stopId,
        String driverId,
        String deviceId,
        String idempotencyKey,
        long createdAt,
        long updatedAt,
        Long resolvedAt,
        String resolvedBy,
        String resolution,
        String note,
        Long stopVersion) {}
