package io.podsync.storage;

/** What an event was told, kept for duplicates until {@code expiresAt}. */
public record ReceiptRow(
        String deviceId,
        String idempotencyKey,
        long seq,
        String fingerprint,
        String verdict,
        String receiptJson,
        long createdAt,
        long expiresAt) {}
