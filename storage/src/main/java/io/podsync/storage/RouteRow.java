package io.podsync.storage;

/**
 * A route as stored. {@code viewJson} is what devices get for it; {@code releaseJson} is the release it came from, kept
 * so a reassignment can re-release the same content to another driver. {@code baseUrl} is how the ERP reached the
 * server when it last released, cancelled or reassigned the route ({@code scheme://host[:port]}), or null.
 */
public record RouteRow(
        String routeId,
        String driverId,
        String vehicleId,
        String serviceDate,
        String status,
        long version,
        String contentHash,
        long releasedAt,
        long updatedAt,
        String viewJson,
        String releaseJson,
        String baseUrl) {
    /** A row built by field name: {@code RouteRow.builder().routeId(...)...build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's fields, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.routeId = routeId;
        b.driverId = driverId;
        b.vehicleId = vehicleId;
        b.serviceDate = serviceDate;
        b.status = status;
        b.version = version;
        b.contentHash = contentHash;
        b.releasedAt = releasedAt;
        b.updatedAt = updatedAt;
        b.viewJson = viewJson;
        b.releaseJson = releaseJson;
        b.baseUrl = baseUrl;
        return b;
    }

    /** Builds a {@link RouteRow} by field name; a field not set is null, zero or false. */
    public static final class Builder {
        private String routeId;
        private String driverId;
        private String vehicleId;
        private String serviceDate;
        private String status;
        private long version;
        private String contentHash;
        private long releasedAt;
        private long updatedAt;
        private String viewJson;
        private String releaseJson;
        private String baseUrl;

        private Builder() {}

        public Builder routeId(String routeId) {
            this.routeId = routeId;
            return this;
        }

        public Builder driverId(String driverId) {
            this.driverId = driverId;
            return this;
        }

        public Builder vehicleId(String vehicleId) {
            this.vehicleId = vehicleId;
            return this;
        }

        public Builder serviceDate(String serviceDate) {
            this.serviceDate = serviceDate;
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

        public Builder releasedAt(long releasedAt) {
            this.releasedAt = releasedAt;
            return this;
        }

        public Builder updatedAt(long updatedAt) {
            this.updatedAt = updatedAt;
            return this;
        }

        public Builder viewJson(String viewJson) {
            this.viewJson = viewJson;
            return this;
        }

        public Builder releaseJson(String releaseJson) {
            this.releaseJson = releaseJson;
            return this;
        }

        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        public RouteRow build() {
            return new RouteRow(
                    routeId,
                    driverId,
                    vehicleId,
                    serviceDate,
                    status,
                    version,
                    contentHash,
                    releasedAt,
                    updatedAt,
                    viewJson,
                    releaseJson,
                    baseUrl);
        }
    }
}
