package io.podsync.protocol;

import java.util.List;

/** A page of a stop's events, in the order the server received them; pass {@code nextAfter} as {@code after}. */
public record StoredEventPage(List<StoredEvent> items, String nextAfter) {}
