package io.podsync.server.evidence;

/** Where an upload stands, as the {@code uploads.status} column stores it (its wire name). */
public enum UploadState {
    /** Bytes are still to come. */
    OPEN("open"),
    /** This device's bytes arrived whole and were verified; the artifact is stored. */
    COMPLETED("completed"),
    /**
     * Declared when the server already had the artifact: done, but nothing was received from this device, so it gives
     * no right to read the artifact (knowing a hash is no proof of holding the bytes).
     */
    KNOWN("known"),
    /** The bytes were not what was declared (hash or media type): declare the artifact again. */
    FAILED("failed");

    private final String wire;

    UploadState(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @throws IllegalArgumentException for a name no state has */
    public static UploadState fromWire(String value) {
        for (UploadState s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no upload state " + value);
    }

    /** Nothing more to send: its artifact is stored (by this device's bytes, or already known). */
    public boolean isDone() {
        return this == COMPLETED || this == KNOWN;
    }
}
