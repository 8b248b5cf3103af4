package io.podsync.storage;

import java.util.Collection;
import java.util.List;

/** The append-only event log. */
public interface EventRepository {
    /**
     * Appends events. An event whose (device, key) is already in the log is skipped: the log keeps every key forever,
     * so an event can never be counted twice, even when its receipt has expired.
     */
    void insertAll(List<EventRow> events);

    /** Every event of these stops with the given verdict, in no particular order. */
    List<EventRow> ofStops(Collection<String> stopIds, String verdict);

    long count();
}
