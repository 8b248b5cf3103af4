package io.podsync.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * An event as the server stored it, with the verdict it got (a stop's events, the trace).
 *
 * @param type absent for an event that could not be read
 * @param capturedAt the device's clock
 * @param correctedAt the capture time the server uses, corrected for the device's clock
 * @param correlationId the correlation id of the push that brought it
 * @param event the event as pushed (canonical JSON; absent for an event that could not be read)
 */
public record StoredEvent(
        String deviceId,
        long seq,
        String idempotencyKey,
        String driverId,
        String routeId,
        String stopId,
        EventType type,
        int attempt,
        Verdict verdict,
        String reason,
        String field,
        List<String> flags,
        Instant capturedAt,
        Instant correctedAt,
        Instant receivedAt,
        String correlationId,
        JsonNode event) {}
