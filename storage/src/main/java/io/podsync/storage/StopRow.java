package io.podsync.storage;

/**
 * A stop as stored. {@code status}: active, cancelled or removed. {@code manifestSince} is the first version with the
 * stop's current orders, address and location: an outcome captured against an earlier version may assert what no
 * longer holds. {@code windowEnd}: the end of its time window (epoch ms), or null.
 */
public record StopRow(
        String stopId,
        String routeId,
        String driverId,
        int sequence,
        Double lat,
        Double lon,
        Double geofenceMeters,
        String status,
        long version,
        String contentHash,
        String policyJson,
        String viewJson,
        long releasedAt,
        long updatedAt,
        long manifestSince,
        Long windowEnd) {
    public boolean isActive() {
        return "active".equals(status);
    }
}
