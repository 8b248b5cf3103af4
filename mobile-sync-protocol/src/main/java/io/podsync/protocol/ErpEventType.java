package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The CloudEvent types podsync sends to ERP endpoints. Each endpoint subscribes to a list of them; by default to the
 * proof-of-delivery types ({@link #isPod()}), which is all there was in 1.0.
 */
public enum ErpEventType {
    /** The stop was delivered ({@link PodConfirmation}). */
    POD_DELIVERED("io.podsync.pod.delivered.v1"),
    /** The driver recorded a partial delivery. */
    POD_PARTIALLY_DELIVERED("io.podsync.pod.partially_delivered.v1"),
    /** The stop failed for good. */
    POD_FAILED("io.podsync.pod.failed.v1"),
    /** A confirmed outcome changed. */
    POD_CORRECTED("io.podsync.pod.corrected.v1"),
    /** A route's first version was released ({@link Milestone} from here on). */
    ROUTE_RELEASED("io.podsync.route.released.v1"),
    /** A released route got a new version: amended, stops moved, or reassigned to another driver. */
    ROUTE_AMENDED("io.podsync.route.amended.v1"),
    /** A route was cancelled. */
    ROUTE_CANCELLED("io.podsync.route.cancelled.v1"),
    /** A device of the route's driver pulled this version of the route for the first time: the route is dispatched. */
    ROUTE_DISPATCHED("io.podsync.route.dispatched.v1"),
    /** Every stop of the route has a final outcome confirmed (or was cancelled or removed), with a trip summary. */
    ROUTE_COMPLETED("io.podsync.route.completed.v1"),
    /** The driver arrived at a stop (once per attempt). */
    STOP_ARRIVED("io.podsync.stop.arrived.v1"),
    /** The vehicle departed from a stop (once per attempt). */
    STOP_DEPARTED("io.podsync.stop.departed.v1"),
    /** A stop's time window ended with no arrival (an SLA breach; also a {@code stop_late} exception). */
    STOP_LATE("io.podsync.stop.late.v1"),
    /** An exception was opened for operations. */
    EXCEPTION_OPENED("io.podsync.exception.opened.v1"),
    /** An exception was resolved, by a person or because its condition cleared. */
    EXCEPTION_RESOLVED("io.podsync.exception.resolved.v1");

    private final String wire;

    ErpEventType(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** A proof-of-delivery type: gated by evidence and by open exceptions, data is a {@link PodConfirmation}. */
    public boolean isPod() {
        return this == POD_DELIVERED || this == POD_PARTIALLY_DELIVERED || this == POD_FAILED || this == POD_CORRECTED;
    }

    /** @return the type with this wire name, or null */
    public static ErpEventType fromWire(String value) {
        for (ErpEventType t : values()) {
            if (t.wire.equals(value)) {
                return t;
            }
        }
        return null;
    }
}
