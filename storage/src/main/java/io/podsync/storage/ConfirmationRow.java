package io.podsync.storage;

/**
 * The outcome last confirmed to the ERP for a stop. {@code finalOutcome} is false for a failure that will be
 * re-attempted (sent only to correct an earlier confirmation).
 */
public record ConfirmationRow(
        String stopId,
        String outcomeEventKey,
        String deviceId,
        String outcome,
        String messageId,
        long confirmedAt,
        boolean finalOutcome) {}
