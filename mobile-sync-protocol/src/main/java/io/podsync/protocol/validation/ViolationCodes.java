package io.podsync.protocol.validation;

/** Stable violation codes. Clients branch on these; never rename one. */
public final class ViolationCodes {
    public static final String REQUIRED = "required";
    public static final String TOO_LONG = "too_long";
    public static final String TOO_MANY = "too_many";
    public static final String OUT_OF_RANGE = "out_of_range";
    public static final String INVALID_FORMAT = "invalid_format";
    public static final String DUPLICATE_ID = "duplicate_id";
    public static final String INVALID_TYPE = "invalid_type";
    public static final String UNKNOWN_EVENT_TYPE = "unknown_event_type";
    public static final String UNKNOWN_VALUE = "unknown_value";
    public static final String INCONSISTENT = "inconsistent";
    /** A query parameter the operation does not take. */
    public static final String UNKNOWN_PARAMETER = "unknown_parameter";
    /** A query parameter given more than once. */
    public static final String REPEATED_PARAMETER = "repeated_parameter";

    private ViolationCodes() {}
}
