package io.podsync.storage;

/** A resumable upload. {@code status}: open, completed or failed. */
public record UploadRow(
        String uploadId,
        String deviceId,
        String driverId,
        String sha256,
        long size,
        String mediaType,
        String kind,
        long offset,
        String status,
        long createdAt,
        long updatedAt,
        long expiresAt) {}
