package io.podsync.storage;

/** An event that references an artifact. */
public record EvidenceLinkRow(String deviceId, String idempotencyKey, String sha256, String driverId) {}
