package io.podsync.server.exceptions;

/** Where an exception stands. Stored and shown by its wire name. */
public enum ExceptionStatus {
    /** Waiting for a person, or for its condition to clear by itself. */
    OPEN("open"),
    /** Resolved by a person or by the system; it never opens again (a new finding opens a new exception). */
    RESOLVED("resolved");

    private final String wire;

    ExceptionStatus(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @throws IllegalArgumentException for a name that is not a status */
    public static ExceptionStatus fromWire(String value) {
        for (ExceptionStatus s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown exception status " + value);
    }
}
