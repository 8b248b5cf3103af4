package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The server's view of what happened at a stop, derived from every counted event.
 *
 * @param status {@code pending}, {@code arrived}, {@code delivered}, {@code partially_delivered}, {@code failed} or
 *     {@code reattempt}
 * @param attempt the attempt the state comes from: the successful one, else the latest one seen (0 with no events)
 * @param outcomeEventKey idempotency key of the event that decided the outcome
 * @param anomalies codes of contradictions found among the events (see the protocol docs)
 */
public record StopStateView(
        String stopId,
        String status,
        int attempt,
        Instant arrivedAt,
        Instant completedAt,
        String outcomeEventKey,
        String outcomeDeviceId,
        List<String> anomalies) {}
