package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * A business exception for people to look at. There is at most one open exception per subject (a stop, a route or a
 * device) and kind; every finding behind it (an event, an anomaly, a breach) is attached to it.
 *
 * @param kind an {@link ExceptionKind} wire name
 * @param codes the flags or anomaly codes behind it: the union of its findings' codes
 * @param status {@code open} or {@code resolved}
 * @param deviceId the device of its first finding (in {@code findings} order), when that is an event
 * @param idempotencyKey the key of its first finding's event
 * @param findings what is attached to it (since 1.1)
 * @param manifests for {@code manifest_changed}, in the single-exception answer: the stop versions its events were
 *     captured against and the current one, oldest first (since 1.1)
 * @param stopVersion the stop version operations booked the outcome against when resolving a {@code
 *     manifest_changed} exception (since 1.1)
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
        String note,
        List<Finding> findings,
        List<StopView> manifests,
        Long stopVersion) {
    /**
     * One finding attached to an exception.
     *
     * @param deviceId and {@code idempotencyKey}: the event, when the finding is about one
     * @param stopVersion the stop version the event was captured against
     * @param clearedAt when the finding's condition ended by itself (the evidence arrived, a breach cleared)
     */
    public record Finding(
            String deviceId,
            String idempotencyKey,
            List<String> codes,
            Long stopVersion,
            Instant createdAt,
            Instant clearedAt) {}
}
