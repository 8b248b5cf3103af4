package io.podsync.storage;

/** A stop as stored. {@code status}: active, cancelled or removed. */
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
        long updatedAt) {
    public boolean isActive() {
        return "active".equals(status);
    }
}
