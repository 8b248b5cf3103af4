package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** Which business latency {@code GET /v1/ops/latencies} charts: the same moments the metric histograms measure. */
public enum LatencyKind {
    /** From a route version's release to its first pull by a device of its driver (its dispatch). */
    ORDER_TO_DISPATCH("order_to_dispatch"),
    /** From a route's first pull by its driver's device to a stop's first outcome confirmed to the ERP. */
    DISPATCH_TO_CONFIRMATION("dispatch_to_confirmation"),
    /** From the capture of an outcome (on the server's clock) to the ERP's acknowledgement of its message. */
    POD_POSTING("pod_posting");

    private final String wire;

    LatencyKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** @return the kind with this wire name, or null */
    public static LatencyKind fromWire(String value) {
        for (LatencyKind k : values()) {
            if (k.wire.equals(value)) {
                return k;
            }
        }
        return null;
    }
}
