package io.podsync.server.erp;

import io.podsync.protocol.ErpEvent;
import io.podsync.protocol.ErpEventType;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.observe.Telemetry;
import io.podsync.storage.OutboxRow;
import io.podsync.storage.Tx;

/**
 * Queues one ERP message for every endpoint subscribed to its type, in the caller's transaction (the outbox pattern:
 * a message is never lost and never sent for what was rolled back). Proof-of-delivery messages and milestones go the
 * same way; they differ in their partition (the per-stop order a message keeps) only.
 */
final class OutboxWriter {
    private final ErpConfig config;

    OutboxWriter(ErpConfig config) {
        this.config = config;
    }

    boolean wants(ErpEventType type) {
        return config.anyWants(type);
    }

    /**
     * @param partitionKey messages of one partition and endpoint are delivered in the order they were written
     * @param dedupeKey with the endpoint's name appended, the same message is never queued twice for an endpoint
     * @param stopId and {@code routeId}: what the message is about ({@code ""} when it is about no stop)
     */
    void write(
            Tx tx,
            ErpEvent<?> event,
            ErpEventType type,
            String partitionKey,
            String dedupeKey,
            String stopId,
            String routeId,
            String supersedes,
            long now) {
        String json = null;
        for (ErpConfig.Endpoint endpoint : config.endpoints()) {
            if (!endpoint.wants(type)) {
                continue;
            }
            if (json == null) {
                json = ProtocolJson.toString(event); // serialized once, for the endpoints that want it
            }
            OutboxStatus status = tx.outbox().isDisabled(endpoint.name()) ? OutboxStatus.HELD : OutboxStatus.PENDING;
            tx.outbox()
                    .add(OutboxRow.builder()
                            .messageId(event.id())
                            .endpoint(endpoint.name())
                            .dedupeKey(dedupeKey + ":" + endpoint.name())
                            .partitionKey(partitionKey)
                            .type(type.wire())
                            .stopId(stopId)
                            .routeId(routeId)
                            .supersedes(supersedes)
                            .payloadJson(json)
                            .status(status.wire())
                            .nextAttemptAt(now + config.schedule().get(0).toMillis())
                            .createdAt(now)
                            .correlationId(event.correlationid())
                            // the trace of the request that wrote the message: the ERP's side joins it
                            .traceParent(Telemetry.traceParent())
                            .build());
        }
    }
}
