package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** What an exception for operations is about. Some hold a stop's confirmation to the ERP until a person decides. */
public enum ExceptionKind {
    /** An outcome event with validation flags. */
    FLAGGED_EVENT("flagged_event", true),
    /** Events of a driver the stop was taken away from: stored, not counted, shown to a person. */
    REASSIGNED_EVENT("reassigned_event", false),
    /** Contradictory outcomes, or events after completion. */
    CONTRADICTION("contradiction", true),
    /** An event still waiting for its evidence after the configured time. */
    EVIDENCE_MISSING("evidence_missing", true),
    /** A confirmed outcome changed and a correction was sent. */
    OUTCOME_CORRECTED("outcome_corrected", true),
    /** An outcome captured against a manifest that changed since in a way that touches what it asserts. */
    MANIFEST_CHANGED("manifest_changed", true),
    /** A stop's time window ended with no arrival (SLA; closes itself on arrival). */
    STOP_LATE("stop_late", false),
    /** A route no device of its driver pulled by the configured time before its service date (SLA). */
    ROUTE_NOT_DISPATCHED("route_not_dispatched", false),
    /** A device with a route in progress that has not synced for the configured time (SLA). */
    DEVICE_SILENT("device_silent", false);

    private final String wire;
    private final boolean holdsConfirmation;

    ExceptionKind(String wire, boolean holdsConfirmation) {
        this.wire = wire;
        this.holdsConfirmation = holdsConfirmation;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /**
     * Whether an open exception of this kind holds its stop's confirmation to the ERP. Those about the stop's counted
     * events do; a fenced driver's events (they never count, whatever order they arrive in) and SLA breaches (about
     * time, not content) do not.
     */
    public boolean holdsConfirmation() {
        return holdsConfirmation;
    }

    /** @return the kind with this wire name, or null */
    public static ExceptionKind fromWire(String value) {
        for (ExceptionKind k : values()) {
            if (k.wire.equals(value)) {
                return k;
            }
        }
        return null;
    }
}
