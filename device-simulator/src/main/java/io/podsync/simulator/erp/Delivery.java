package io.podsync.simulator.erp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One confirmation the receiver accepted and recorded.
 *
 * @param webhookId the {@code webhook-id} header: the idempotency key, the same on every retry and replay
 * @param type the CloudEvent {@code type}
 * @param subject the CloudEvent {@code subject}, or null when the event has none
 * @param data the CloudEvent {@code data}, or null when the event has none
 * @param event the whole CloudEvent as received
 * @param receivedAt when it was first recorded, by the receiver's clock
 * @param attemptsSeen signed requests carrying this webhook-id so far, including failed and duplicate ones: 1 means
 *     the sender got it right the first time
 */
public record Delivery(
        String webhookId,
        String type,
        String subject,
        JsonNode data,
        JsonNode event,
        Instant receivedAt,
        int attemptsSeen) {

    Delivery withAttempts(int attempts) {
        return new Delivery(webhookId, type, subject, data, event, receivedAt, attempts);
    }
}
