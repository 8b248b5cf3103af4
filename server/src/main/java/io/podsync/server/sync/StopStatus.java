package io.podsync.server.sync;

/**
 * A stop's derived status ({@link StopFold}): the {@code status} of the protocol's {@code StopStateView}, stored in
 * {@code stop_states} and in a stop's confirmation by its wire name.
 */
public enum StopStatus {
    /** No event yet, or none that opened an attempt with an arrival. */
    PENDING("pending", false),
    /** The latest attempt has an arrival and no outcome yet. */
    ARRIVED("arrived", false),
    /** Delivered in full: the stop is complete. */
    DELIVERED("delivered", true),
    /** Delivered in part: the stop is complete. */
    PARTIALLY_DELIVERED("partially_delivered", true),
    /** The latest attempt failed (final or not: the ERP forwarding decides). */
    FAILED("failed", false),
    /** An earlier attempt failed and a new one has begun. */
    REATTEMPT("reattempt", false);

    private final String wire;
    private final boolean success;

    StopStatus(String wire, boolean success) {
        this.wire = wire;
        this.success = success;
    }

    public String wire() {
        return wire;
    }

    /** Whether the stop is complete with this status (delivered or partially delivered). */
    public boolean isSuccess() {
        return success;
    }

    /** Whether an outcome decided this status: a success or a failure. */
    public boolean isOutcome() {
        return success || this == FAILED;
    }

    /** @throws IllegalArgumentException for a name that is not a stop status */
    public static StopStatus fromWire(String value) {
        for (StopStatus s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stop status " + value);
    }
}
