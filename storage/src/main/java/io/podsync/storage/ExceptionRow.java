package io.podsync.storage;

/**
 * A business exception. {@code dedupeKey} names its subject and kind: at most one open exception holds it, and the
 * findings behind it ({@link FindingRow}) are attached to that one. {@code codes} is a comma-separated list (the union
 * of its findings' codes); {@code deviceId} and {@code idempotencyKey} are those of its first finding. {@code
 * stopVersion}: the manifest version operations chose to book the outcome against (manifest_changed), or null.
 */
public record ExceptionRow(
        long exceptionId,
        String dedupeKey,
        String kind,
        String status,
        String codes,
        String routeId,
        String stopId,
        String driverId,
        String deviceId,
        String idempotencyKey,
        long createdAt,
        long updatedAt,
        Long resolvedAt,
        String resolvedBy,
        String resolution,
        String note,
        Long stopVersion) {
    /** A row built by field name: {@code ExceptionRow.builder().exceptionId(...)...build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's fields, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.exceptionId = exceptionId;
        b.dedupeKey = dedupeKey;
        b.kind = kind;
        b.status = status;
        b.codes = codes;
        b.routeId = routeId;
        b.stopId = stopId;
        b.driverId = driverId;
        b.deviceId = deviceId;
        b.idempotencyKey = idempotencyKey;
        b.createdAt = createdAt;
        b.updatedAt = updatedAt;
        b.resolvedAt = resolvedAt;
        b.resolvedBy = resolvedBy;
        b.resolution = resolution;
        b.note = note;
        b.stopVersion = stopVersion;
        return b;
    }

    /** Builds a {@link ExceptionRow} by field name; a field not set is null, zero or false. */
    public static final class Builder {
        private long exceptionId;
        private String dedupeKey;
        private String kind;
        private String status;
        private String codes;
        private String routeId;
        private String stopId;
        private String driverId;
        private String deviceId;
        private String idempotencyKey;
        private long createdAt;
        private long updatedAt;
        private Long resolvedAt;
        private String resolvedBy;
        private String resolution;
        private String note;
        private Long stopVersion;

        private Builder() {}

        public Builder exceptionId(long exceptionId) {
            this.exceptionId = exceptionId;
            return this;
        }

        public Builder dedupeKey(String dedupeKey) {
            this.dedupeKey = dedupeKey;
            return this;
        }

        public Builder kind(String kind) {
            this.kind = kind;
            return this;
        }

        public Builder status(String status) {
            this.status = status;
            return this;
        }

        public Builder codes(String codes) {
            this.codes = codes;
            return this;
        }

        public Builder routeId(String routeId) {
            this.routeId = routeId;
            return this;
        }

        public Builder stopId(String stopId) {
            this.stopId = stopId;
            return this;
        }

        public Builder driverId(String driverId) {
            this.driverId = driverId;
            return this;
        }

        public Builder deviceId(String deviceId) {
            this.deviceId = deviceId;
            return this;
        }

        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public Builder createdAt(long createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        public Builder updatedAt(long updatedAt) {
            this.updatedAt = updatedAt;
            return this;
        }

        public Builder resolvedAt(Long resolvedAt) {
            this.resolvedAt = resolvedAt;
            return this;
        }

        public Builder resolvedBy(String resolvedBy) {
            this.resolvedBy = resolvedBy;
            return this;
        }

        public Builder resolution(String resolution) {
            this.resolution = resolution;
            return this;
        }

        public Builder note(String note) {
            this.note = note;
            return this;
        }

        public Builder stopVersion(Long stopVersion) {
            this.stopVersion = stopVersion;
            return this;
        }

        public ExceptionRow build() {
            return new ExceptionRow(
                    exceptionId,
                    dedupeKey,
                    kind,
                    status,
                    codes,
                    routeId,
                    stopId,
                    driverId,
                    deviceId,
                    idempotencyKey,
                    createdAt,
                    updatedAt,
                    resolvedAt,
                    resolvedBy,
                    resolution,
                    note,
                    stopVersion);
        }
    }
}
