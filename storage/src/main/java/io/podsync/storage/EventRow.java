package io.podsync.storage;

/**
 * One pushed event and its verdict. For a rejected event the fields that did not parse are null. {@code flags} is a
 * comma-separated list; {@code expiresAt} is set for rows that are receipts only (rejected events). {@code stopVersion}
 * is the stop version the event was captured against (null when unknown and not needed); {@code resolution} how
 * operations resolved the exception the event was attached to.
 */
public record EventRow(
        String deviceId,
        long seq,
        String idempotencyKey,
        String driverId,
        String stopId,
        String routeId,
        String type,
        int attempt,
        Long capturedAt,
        Long correctedAt,
        long receivedAt,
        long clockOffsetMs,
        String verdict,
        String reason,
        String field,
        String flags,
        String fingerprint,
        long feedSeq,
        Long expiresAt,
        String payloadJson,
        String correlationId,
        Long stopVersion,
        String resolution) {
    /** A row built by field name: {@code EventRow.builder().deviceId(...).seq(...)...build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's fields, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.deviceId = deviceId;
        b.seq = seq;
        b.idempotencyKey = idempotencyKey;
        b.driverId = driverId;
        b.stopId = stopId;
        b.routeId = routeId;
        b.type = type;
        b.attempt = attempt;
        b.capturedAt = capturedAt;
        b.correctedAt = correctedAt;
        b.receivedAt = receivedAt;
        b.clockOffsetMs = clockOffsetMs;
        b.verdict = verdict;
        b.reason = reason;
        b.field = field;
        b.flags = flags;
        b.fingerprint = fingerprint;
        b.feedSeq = feedSeq;
        b.expiresAt = expiresAt;
        b.payloadJson = payloadJson;
        b.correlationId = correlationId;
        b.stopVersion = stopVersion;
        b.resolution = resolution;
        return b;
    }

    /** Builds a {@link EventRow} by field name; a field not set is null, zero or false. */
    public static final class Builder {
        private String deviceId;
        private long seq;
        private String idempotencyKey;
        private String driverId;
        private String stopId;
        private String routeId;
        private String type;
        private int attempt;
        private Long capturedAt;
        private Long correctedAt;
        private long receivedAt;
        private long clockOffsetMs;
        private String verdict;
        private String reason;
        private String field;
        private String flags;
        private String fingerprint;
        private long feedSeq;
        private Long expiresAt;
        private String payloadJson;
        private String correlationId;
        private Long stopVersion;
        private String resolution;

        private Builder() {}

        public Builder deviceId(String deviceId) {
            this.deviceId = deviceId;
            return this;
        }

        public Builder seq(long seq) {
            this.seq = seq;
            return this;
        }

        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public Builder driverId(String driverId) {
            this.driverId = driverId;
            return this;
        }

        public Builder stopId(String stopId) {
            this.stopId = stopId;
            return this;
        }

        public Builder routeId(String routeId) {
            this.routeId = routeId;
            return this;
        }

        public Builder type(String type) {
            this.type = type;
            return this;
        }

        public Builder attempt(int attempt) {
            this.attempt = attempt;
            return this;
        }

        public Builder capturedAt(Long capturedAt) {
            this.capturedAt = capturedAt;
            return this;
        }

        public Builder correctedAt(Long correctedAt) {
            this.correctedAt = correctedAt;
            return this;
        }

        public Builder receivedAt(long receivedAt) {
            this.receivedAt = receivedAt;
            return this;
        }

        public Builder clockOffsetMs(long clockOffsetMs) {
            this.clockOffsetMs = clockOffsetMs;
            return this;
        }

        public Builder verdict(String verdict) {
            this.verdict = verdict;
            return this;
        }

        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        public Builder field(String field) {
            this.field = field;
            return this;
        }

        public Builder flags(String flags) {
            this.flags = flags;
            return this;
        }

        public Builder fingerprint(String fingerprint) {
            this.fingerprint = fingerprint;
            return this;
        }

        public Builder feedSeq(long feedSeq) {
            this.feedSeq = feedSeq;
            return this;
        }

        public Builder expiresAt(Long expiresAt) {
            this.expiresAt = expiresAt;
            return this;
        }

        public Builder payloadJson(String payloadJson) {
            this.payloadJson = payloadJson;
            return this;
        }

        public Builder correlationId(String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        public Builder stopVersion(Long stopVersion) {
            this.stopVersion = stopVersion;
            return this;
        }

        public Builder resolution(String resolution) {
            this.resolution = resolution;
            return this;
        }

        public EventRow build() {
            return new EventRow(
                    deviceId,
                    seq,
                    idempotencyKey,
                    driverId,
                    stopId,
                    routeId,
                    type,
                    attempt,
                    capturedAt,
                    correctedAt,
                    receivedAt,
                    clockOffsetMs,
                    verdict,
                    reason,
                    field,
                    flags,
                    fingerprint,
                    feedSeq,
                    expiresAt,
                    payloadJson,
                    correlationId,
                    stopVersion,
                    resolution);
        }
    }

    /** The same row with its change-feed position. */
    public EventRow withFeedSeq(long position) {
        return toBuilder().feedSeq(position).build();
    }
}
