package io.podsync.protocol;

/**
 * Flags the server attaches to an applied event. A flag never drops the event; an outcome event with any flag also
 * opens a business exception for operations.
 */
public final class EventFlags {
    /** The stop was cancelled or removed from the driver's route. */
    public static final String STOP_NOT_ON_ROUTE = "stop_not_on_route";
    /** Captured farther from the stop than its geofence radius plus the fix's accuracy. */
    public static final String OUTSIDE_GEOFENCE = "outside_geofence";
    /** A line's delivered quantity is above the ordered quantity. */
    public static final String QUANTITY_EXCEEDS_ORDERED = "quantity_exceeds_ordered";
    /** A line was delivered short or refused without a reason code. */
    public static final String DISCREPANCY_WITHOUT_REASON = "discrepancy_without_reason";
    /** A reason code that is not in the taxonomy ({@link ReasonCode}). */
    public static final String UNKNOWN_REASON_CODE = "unknown_reason_code";
    /** A failed event without a reason code. */
    public static final String REASON_MISSING = "reason_missing";
    /** Goods were handed over for an order that dispatch cancelled. */
    public static final String ORDER_CANCELLED = "order_cancelled";
    /** A line outcome for a line that is not on the stop's orders. */
    public static final String UNKNOWN_LINE = "unknown_line";
    /**
     * The event reports lines, but not every line the stop's (not cancelled) orders have: the missing ones count as
     * not delivered, which a person should confirm before the ERP books it.
     */
    public static final String LINE_NOT_REPORTED = "line_not_reported";
    /**
     * An outcome captured against an older version of the stop ({@code stopVersion}, or the version the device had
     * pulled) whose manifest changed since in a way that touches what the outcome asserts.
     */
    public static final String MANIFEST_CHANGED = "manifest_changed";
    /** Prefix of the proof-policy flags: {@code proof_policy_not_met:signature}, {@code :photos}, ... */
    public static final String PROOF_POLICY_NOT_MET = "proof_policy_not_met";
    /** The corrected capture time is later than the server's receipt time (beyond tolerance). */
    public static final String CAPTURE_TIME_IN_FUTURE = "capture_time_in_future";
    /** The corrected capture time is before the stop was first released (beyond tolerance). */
    public static final String CAPTURE_TIME_BEFORE_RELEASE = "capture_time_before_release";

    private EventFlags() {}

    public static String proof(String what) {
        return PROOF_POLICY_NOT_MET + ":" + what;
    }
}
