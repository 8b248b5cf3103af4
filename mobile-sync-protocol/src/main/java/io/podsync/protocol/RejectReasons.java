package io.podsync.protocol;

/** Stable reason codes of non-applied verdicts. */
public final class RejectReasons {
    /** The stop does not exist or was never this driver's. */
    public static final String STOP_NOT_ASSIGNED = "stop_not_assigned";
    /** The stop was reassigned to another driver (verdict reassigned). */
    public static final String STOP_REASSIGNED = "stop_reassigned";
    /** Another event of this device already has this sequence number. */
    public static final String SEQUENCE_REUSED = "sequence_reused";
    /** The idempotency key was used before with other content (verdict conflict). */
    public static final String IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused";

    private RejectReasons() {}
}
