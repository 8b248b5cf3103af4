package io.podsync.storage;

/**
 * A message to an ERP endpoint. {@code status}: pending, delivered, dead or held. {@code correlationId} and
 * {@code traceParent} (W3C) travel with it as the {@code X-Correlation-Id} and {@code traceparent} headers, so that the
 * ERP's side of a delivery joins the trace of the request that caused it.
 */
public record OutboxRow(
        long outboxId,
        String messageId,
        String endpoint,
        String dedupeKey,
        String partitionKey,
        String type,
        String stopId,
        String routeId,
        String supersedes,
        String payloadJson,
        String status,
        int attempts,
        long nextAttemptAt,
        Integer lastStatus,
        String lastError,
        long createdAt,
        Long deliveredAt,
        String correlationId,
        String traceParent) {
    /** A row built by field name: {@code OutboxRow.builder().messageId(...)...build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's fields, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.outboxId = outboxId;
        b.messageId = messageId;
        b.endpoint = endpoint;
        b.dedupeKey = dedupeKey;
        b.partitionKey = partitionKey;
        b.type = type;
        b.stopId = stopId;
        b.routeId = routeId;
        b.supersedes = supersedes;
        b.payloadJson = payloadJson;
        b.status = status;
        b.attempts = attempts;
        b.nextAttemptAt = nextAttemptAt;
        b.lastStatus = lastStatus;
        b.lastError = lastError;
        b.createdAt = createdAt;
        b.deliveredAt = deliveredAt;
        b.correlationId = correlationId;
        b.traceParent = traceParent;
        return b;
    }

    /** Builds a {@link OutboxRow} by field name; a field not set is null, zero or false. */
    public static final class Builder {
        private long outboxId;
        private String messageId;
        private String endpoint;
        private String dedupeKey;
        private String partitionKey;
        private String type;
        private String stopId;
        private String routeId;
        private String supersedes;
        private String payloadJson;
        private String status;
        private int attempts;
        private long nextAttemptAt;
        private Integer lastStatus;
        private String lastError;
        private long createdAt;
        private Long deliveredAt;
        private String correlationId;
        private String traceParent;

        private Builder() {}

        public Builder outboxId(long outboxId) {
            this.outboxId = outboxId;
            return this;
        }

        public Builder messageId(String messageId) {
            this.messageId = messageId;
            return this;
        }

        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder dedupeKey(String dedupeKey) {
            this.dedupeKey = dedupeKey;
            return this;
        }

        public Builder partitionKey(String partitionKey) {
            this.partitionKey = partitionKey;
            return this;
        }

        public Builder type(String type) {
            this.type = type;
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

        public Builder supersedes(String supersedes) {
            this.supersedes = supersedes;
            return this;
        }

        public Builder payloadJson(String payloadJson) {
            this.payloadJson = payloadJson;
            return this;
        }

        public Builder status(String status) {
            this.status = status;
            return this;
        }

        public Builder attempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        public Builder nextAttemptAt(long nextAttemptAt) {
            this.nextAttemptAt = nextAttemptAt;
            return this;
        }

        public Builder lastStatus(Integer lastStatus) {
            this.lastStatus = lastStatus;
            return this;
        }

        public Builder lastError(String lastError) {
            this.lastError = lastError;
            return this;
        }

        public Builder createdAt(long createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        public Builder deliveredAt(Long deliveredAt) {
            this.deliveredAt = deliveredAt;
            return this;
        }

        public Builder correlationId(String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        public Builder traceParent(String traceParent) {
            this.traceParent = traceParent;
            return this;
        }

        public OutboxRow build() {
            return new OutboxRow(
                    outboxId,
                    messageId,
                    endpoint,
                    dedupeKey,
                    partitionKey,
                    type,
                    stopId,
                    routeId,
                    supersedes,
                    payloadJson,
                    status,
                    attempts,
                    nextAttemptAt,
                    lastStatus,
                    lastError,
                    createdAt,
                    deliveredAt,
                    correlationId,
                    traceParent);
        }
    }
}
