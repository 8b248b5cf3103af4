package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a driver captured. */
public enum EventType {
    ARRIVED("arrived"),
    DEPARTED("departed"),
    DELIVERED("delivered"),
    PARTIALLY_DELIVERED("partially_delivered"),
    FAILED("failed"),
    ITEM_SCANNED("item_scanned"),
    NOTE("note");

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** An outcome closes an attempt at a stop. */
    public boolean isOutcome() {
        return this == DELIVERED || this == PARTIALLY_DELIVERED || this == FAILED;
    }

    /** @return the type with this wire name, or null */
    public static EventType fromWire(String value) {
        for (EventType t : values()) {
            if (t.wire.equals(value)) {
                return t;
            }
        }
        return null;
    }
}
