package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * An ERP message as operations see it.
 *
 * @param status {@code pending}, {@code delivered}, {@code dead} (every attempt failed) or {@code held} (its endpoint
 *     answered 410 and was disabled)
 */
public record OutboxView(
        long id,
        String messageId,
        String endpoint,
        String type,
        String stopId,
        String routeId,
        String status,
        int attempts,
        Instant nextAttemptAt,
        Integer lastStatus,
        String lastError,
        Instant createdAt,
        Instant deliveredAt,
        String supersedes,
        List<Attempt> history) {
    /** One delivery attempt and what the ERP answered (0: no answer). */
    public record Attempt(int attempt, Instant at, int statusCode, String error, long durationMillis) {}
}
