package io.podsync.protocol;

/** The protocol version spoken by this build. Major changes break compatibility and get a new path prefix. */
public final class ProtocolVersion {
    /** Major version: also the path prefix {@code /v1}. */
    public static final int MAJOR = 1;
    /** Minor version: additions only (new optional fields, new endpoints). */
    public static final int MINOR = 1;
    /** Request header a client may send to state the version it speaks, e.g. {@code 1.0}. */
    public static final String HEADER = "Podsync-Protocol-Version";
    /** The value of {@link #HEADER} for this build. */
    public static final String CURRENT = MAJOR + "." + MINOR;

    private ProtocolVersion() {}

    /**
     * Parses the major version out of a header value such as {@code 1.0} or {@code 2}.
     *
     * @return the major version, or -1 when the value is not a version
     */
    public static int majorOf(String value) {
        if (value == null) {
            return -1;
        }
        String v = value.trim();
        int dot = v.indexOf('.');
        String major = dot < 0 ? v : v.substring(0, dot);
        try {
            return Integer.parseInt(major);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
