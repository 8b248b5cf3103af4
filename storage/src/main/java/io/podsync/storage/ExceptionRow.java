package io.podsync.storage;

/**
 * A business exception. {@code dedupeKey} makes creation idempotent: the same finding twice is one exception.
 * {@code codes} is a comma-separated list.
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
        String note) {}
