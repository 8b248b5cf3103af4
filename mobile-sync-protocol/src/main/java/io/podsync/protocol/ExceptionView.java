package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * A business exception for people to look at: a flagged outcome, an event from a fenced driver, a contradiction.
 *
 * @param kind {@code flagged_event}, {@code reassigned_event} or {@code contradiction}
 * @param codes the flags or anomaly codes behind it
 * @param status {@code open} or {@code resolved}
 */
public record ExceptionView(
        long id,
        String kind,
        String status,
        List<String> codes,
        String routeId,
        String stopId,
        String driverId,
        String deviceId,
        String idempotencyKey,
        Instant createdAt,
        Instant resolvedAt,
        String resolvedBy,
        String resolution,
        String note) {}
