package io.podsync.protocol;

import java.time.Instant;

/**
 * Published limits of protocol v1. Servers refuse anything larger; clients should split their work to stay below.
 * Every size and count the protocol carries has a limit here.
 */
public final class Limits {
    /** Longest identifier (route, stop, order, line, driver, device, idempotency key). */
    public static final int MAX_ID_LENGTH = 128;
    /** Longest short text (address, sku, description, recipient name, unit, reason code). */
    public static final int MAX_TEXT_LENGTH = 500;
    /** Longest free-text note. */
    public static final int MAX_NOTE_LENGTH = 4000;
    /** Stops in one route. */
    public static final int MAX_STOPS_PER_ROUTE = 500;
    /** Orders at one stop. */
    public static final int MAX_ORDERS_PER_STOP = 100;
    /** Lines in one order. */
    public static final int MAX_LINES_PER_ORDER = 500;
    /** Events in one push. */
    public static final int MAX_EVENTS_PER_PUSH = 500;
    /** Line outcomes in one event. */
    public static final int MAX_LINES_PER_EVENT = 2000;
    /** Evidence references in one event. */
    public static final int MAX_EVIDENCE_PER_EVENT = 20;
    /** Photos a proof policy may require. */
    public static final int MAX_REQUIRED_PHOTOS = 20;
    /** Largest request body in bytes, for JSON requests. */
    public static final int MAX_JSON_BODY_BYTES = 4 * 1024 * 1024;
    /** Largest page of changes a pull returns. */
    public static final int MAX_PULL_LIMIT = 1000;
    /** Page size of a pull that does not say. */
    public static final int DEFAULT_PULL_LIMIT = 200;
    /** Largest attempt number at one stop. */
    public static final int MAX_ATTEMPT = 20;
    /** Largest geofence radius in metres. */
    public static final double MAX_GEOFENCE_METERS = 50_000;

    /**
     * The earliest time the protocol carries (capture times, sent times, time windows, service dates). A phone whose
     * clock fell back to the epoch still syncs: its capture times are corrected by the measured clock offset.
     */
    public static final Instant EARLIEST_TIME = Instant.parse("1970-01-01T00:00:00Z");
    /** The latest time the protocol carries: the last instant RFC 3339 (four-digit years) can write. */
    public static final Instant LATEST_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");

    /** Whether a time is within {@link #EARLIEST_TIME} and {@link #LATEST_TIME}. */
    public static boolean inTimeRange(Instant t) {
        return !t.isBefore(EARLIEST_TIME) && !t.isAfter(LATEST_TIME);
    }

    private Limits() {}
}
