package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** What the server did with an event. */
public enum Verdict {
    /** Stored and counted toward the stop's state (possibly with flags). */
    APPLIED("applied"),
    /**
     * Stored, but not counted until every evidence it references is uploaded: {@code missingEvidence} lists the
     * hashes. It becomes {@code applied} by itself once they arrive (the device sees it in a pull).
     */
    AWAITING_EVIDENCE("awaiting_evidence"),
    /** Seen before with the same content: {@code original} holds the first verdict, unchanged. */
    DUPLICATE("duplicate"),
    /** Refused for good, with a stable reason code: do not resend. */
    REJECTED("rejected"),
    /** The idempotency key was used before for other content: the first content stands. */
    CONFLICT("conflict"),
    /** The stop was reassigned away from this driver: stored for operations, not counted. */
    REASSIGNED("reassigned");

    private final String wire;

    Verdict(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public static Verdict fromWire(String value) {
        for (Verdict v : values()) {
            if (v.wire.equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown verdict " + value);
    }
}
