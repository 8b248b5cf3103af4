package io.podsync.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A route as operations list it ({@code GET /v1/ops/routes}).
 *
 * @param status {@code active} or {@code cancelled}
 * @param stops the route's active stops
 * @param progress its active stops by stop state ({@code pending}, {@code arrived}, {@code delivered},
 *     {@code partially_delivered}, {@code failed}, {@code reattempt}); a stop with no event yet is {@code pending}
 */
public record RouteSummary(
        String routeId,
        String serviceDate,
        String driverId,
        String vehicleId,
        String status,
        long version,
        Instant releasedAt,
        Instant updatedAt,
        int stops,
        Map<String, Integer> progress) {}
