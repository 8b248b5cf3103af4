package io.podsync.storage;

/**
 * A message to an ERP endpoint. {@code status}: pending, delivered, dead or held. {@code correlationId} and
 * {@code traceParent} (W3C) travel with it as the {@code X-Correlation-Id} and {@code traceparent} headers, so that the
 * ERP's side of a delivery joins the trace of the request that caused it.
 */
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
        Long deliveredAt,
        String correlationId,
        String traceParent) {}
