package io.podsync.storage;

/**
 * What one finding (an event, an anomaly, a breach) contributed to an exception. {@code findingKey} is unique for good:
 * the same finding is never attached twice, even after its exception was resolved. {@code clearedAt} is set when the
 * finding's condition ended by itself (evidence arrived, a breach cleared). {@code stopVersion}: for an event, the
 * stop version it was captured against.
 */
public record FindingRow(
        String findingKey,
        long exceptionId,
        String deviceId,
        String idempotencyKey,
        String codes,
        Long stopVersion,
        long createdAt,
        Long clearedAt) {}
