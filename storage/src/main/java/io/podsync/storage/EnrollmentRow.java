package io.podsync.storage;

/** A one-time enrollment code, stored by hash. */
public record EnrollmentRow(
        String codeHash,
        String driverId,
        String createdBy,
        long createdAt,
        long expiresAt,
        Long usedAt,
        String deviceId) {}
