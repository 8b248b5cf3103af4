package io.podsync.protocol;

import java.time.Instant;

/** The agreed delivery window of a stop; either end may be open. */
public record TimeWindow(Instant start, Instant end) {}
