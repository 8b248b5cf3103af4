package io.podsync.storage;

/** A message to an ERP endpoint. {@code status}: pending, delivered, dead or held. */
public record OutboxRow(
        long outboxId,
        String messageId,
        String endpoint,
        String dedupeKey,
        String partitionKey,
        String type,
        String stopId,
        String routeId,
        String supersedes,
        String payloadJson,
        String status,
        int attempts,
        long nextAttemptAt,
        Integer lastStatus,
        String lastError,
        long createdAt,
        Long deliveredAt) {}
