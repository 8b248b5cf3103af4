package io.podsync.storage;

import java.util.Collection;
import java.util.List;

/** The append-only event log. */
public interface EventRepository {
    void insertAll(List<EventRow> events);

    /** Every event of these stops with the given verdict, in no particular order. */
    List<EventRow> ofStops(Collection<String> stopIds, String verdict);

    long count();
}
