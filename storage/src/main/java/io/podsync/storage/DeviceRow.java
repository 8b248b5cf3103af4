package io.podsync.storage;

/** An enrolled device. {@code secretHash} is the SHA-256 of its (high-entropy) secret. */
public record DeviceRow(
        String deviceId,
        String driverId,
        String name,
        String platform,
        String appVersion,
        String secretHash,
        String status,
        long createdAt,
        Long lastSeenAt,
        Long clockOffsetMs,
        long maxSeq) {
    public boolean isActive() {
        return "active".equals(status);
    }
}
