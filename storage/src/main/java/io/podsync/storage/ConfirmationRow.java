package io.podsync.storage;

/** The outcome last confirmed to the ERP for a stop. */
public record ConfirmationRow(
        String stopId, String outcomeEventKey, String deviceId, String outcome, String messageId, long confirmedAt) {}
