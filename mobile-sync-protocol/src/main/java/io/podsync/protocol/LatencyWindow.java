package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;

/** How far back {@code GET /v1/ops/latencies} looks, and in buckets of what width. */
public enum LatencyWindow {
    /** The last hour in 12 buckets of 5 minutes. */
    HOUR("PT1H", Duration.ofHours(1), Duration.ofMinutes(5)),
    /** The last day in 24 buckets of an hour. */
    DAY("P1D", Duration.ofDays(1), Duration.ofHours(1));

    private final String wire;
    private final Duration length;
    private final Duration bucket;

    LatencyWindow(String wire, Duration length, Duration bucket) {
        this.wire = wire;
        this.length = length;
        this.bucket = bucket;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public Duration length() {
        return length;
    }

    public Duration bucket() {
        return bucket;
    }

    public int buckets() {
        return (int) (length.toMillis() / bucket.toMillis());
    }

    /** @return the window with this wire name ({@code PT1H}, {@code P1D}), or null */
    public static LatencyWindow fromWire(String value) {
        for (LatencyWindow w : values()) {
            if (w.wire.equals(value)) {
                return w;
            }
        }
        return null;
    }
}
