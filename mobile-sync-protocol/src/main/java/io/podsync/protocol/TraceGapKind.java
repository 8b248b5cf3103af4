package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** A link missing from a trace: a step that should have followed and has not (yet). */
public enum TraceGapKind {
    /** An event references an artifact that was never stored. */
    ARTIFACT_MISSING("artifact_missing"),
    /** The route's current version was never pulled by a device of its driver. */
    NOT_DISPATCHED("not_dispatched"),
    /** A stop has an applied outcome, but no proof-of-delivery message was written for the ERP. */
    NOT_CONFIRMED("not_confirmed"),
    /** A message to the ERP was never acknowledged (pending, held or dead). */
    NOT_ACKNOWLEDGED("not_acknowledged"),
    /** An exception is still open. */
    EXCEPTION_OPEN("exception_open");

    private final String wire;

    TraceGapKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }
}
