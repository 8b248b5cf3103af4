package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a trace ({@code GET /v1/ops/trace}) starts from; the wire name is the query parameter. */
public enum TraceKey {
    /** The ERP's order id: the stops holding a line of it. */
    ORDER_ID("orderId"),
    /** A route and all its stops. */
    ROUTE_ID("routeId"),
    /** One stop. */
    STOP_ID("stopId"),
    /** The correlation id of one request: a route release, a push, or the ERP messages it caused. */
    CORRELATION_ID("correlationId"),
    /** An event's idempotency key (from any device). */
    IDEMPOTENCY_KEY("idempotencyKey"),
    /** An artifact's SHA-256 (lowercase hex): the events that reference it and its uploads. */
    SHA256("sha256");

    private final String wire;

    TraceKey(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** @return the key with this wire name, or null */
    public static TraceKey fromWire(String value) {
        for (TraceKey k : values()) {
            if (k.wire.equals(value)) {
                return k;
            }
        }
        return null;
    }
}
