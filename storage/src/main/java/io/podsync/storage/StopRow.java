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
    /** A row built by field name: {@code StopRow.builder().stopId(...)...build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's fields, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.stopId = stopId;
        b.routeId = routeId;
        b.driverId = driverId;
        b.sequence = sequence;
        b.lat = lat;
        b.lon = lon;
        b.geofenceMeters = geofenceMeters;
        b.status = status;
        b.version = version;
        b.contentHash = contentHash;
        b.policyJson = policyJson;
        b.viewJson = viewJson;
        b.releasedAt = releasedAt;
        b.updatedAt = updatedAt;
        b.manifestSince = manifestSince;
        b.windowEnd = windowEnd;
        return b;
    }

    /** Builds a {@link StopRow} by field name; a field not set is null, zero or false. */
    public static final class Builder {
        private String stopId;
        private String routeId;
        private String driverId;
        private int sequence;
        private Double lat;
        private Double lon;
        private Double geofenceMeters;
        private String status;
        private long version;
        private String contentHash;
        private String policyJson;
        private String viewJson;
        private long releasedAt;
        private long updatedAt;
        private long manifestSince;
        private Long windowEnd;

        private Builder() {}

        public Builder stopId(String stopId) {
            this.stopId = stopId;
            return this;
        }

        public Builder routeId(String routeId) {
            this.routeId = routeId;
            return this;
        }

        public Builder driverId(String driverId) {
            this.driverId = driverId;
            return this;
        }

        public Builder sequence(int sequence) {
            this.sequence = sequence;
            return this;
        }

        public Builder lat(Double lat) {
            this.lat = lat;
            return this;
        }

        public Builder lon(Double lon) {
            this.lon = lon;
            return this;
        }

        public Builder geofenceMeters(Double geofenceMeters) {
            this.geofenceMeters = geofenceMeters;
            return this;
        }

        public Builder status(String status) {
            this.status = status;
            return this;
        }

        public Builder version(long version) {
            this.version = version;
            return this;
        }

        public Builder contentHash(String contentHash) {
            this.contentHash = contentHash;
            return this;
        }

        public Builder policyJson(String policyJson) {
            this.policyJson = policyJson;
            return this;
        }

        public Builder viewJson(String viewJson) {
            this.viewJson = viewJson;
            return this;
        }

        public Builder releasedAt(long releasedAt) {
            this.releasedAt = releasedAt;
            return this;
        }

        public Builder updatedAt(long updatedAt) {
            this.updatedAt = updatedAt;
            return this;
        }

        public Builder manifestSince(long manifestSince) {
            this.manifestSince = manifestSince;
            return this;
        }

        public Builder windowEnd(Long windowEnd) {
            this.windowEnd = windowEnd;
            return this;
        }

        public StopRow build() {
            return new StopRow(
                    stopId,
                    routeId,
                    driverId,
                    sequence,
                    lat,
                    lon,
                    geofenceMeters,
                    status,
                    version,
                    contentHash,
                    policyJson,
                    viewJson,
                    releasedAt,
                    updatedAt,
                    manifestSince,
                    windowEnd);
        }
    }

    public boolean isActive() {
        return "active".equals(status);
    }
}
