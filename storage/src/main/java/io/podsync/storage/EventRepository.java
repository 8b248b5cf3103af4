package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The event log and idempotency receipts: one row per pushed event. */
public interface EventRepository {
    /**
     * Appends events, numbering them in the change feed (their verdicts are pulled from there), except those whose
     * (device, key) or (device, seq) is already stored: nothing is ever counted twice. The inserts' own probes of
     * those two indexes are how a push finds out which of its events are not new, instead of looking every key and
     * sequence number up first.
     *
     * @return for each event, whether it was stored
     */
    boolean[] insertAll(List<EventRow> events);

    /** The stored events of this device with these keys, by key. */
    Map<String, EventRow> findByKeys(String deviceId, Collection<String> keys);

    /** The device's events whose verdict changed after {@code afterSeq}, oldest first. */
    List<EventRow> verdictsSince(String deviceId, long afterSeq, int limit);

    /** Turns these events of a device from awaiting evidence into applied, with new change-feed positions. */
    void markApplied(String deviceId, Collection<String> keys);

    /**
     * Records how operations resolved the exception these events of a device were attached to, with new change-feed
     * positions, so that the device pulls its verdicts again.
     */
    void setResolution(String deviceId, Collection<String> keys, String resolution);

    /**
     * Events still awaiting evidence that were received before {@code before} and have no evidence-missing exception
     * yet, oldest first.
     */
    List<EventRow> awaitingEvidenceBefore(long before, int limit);

    /** Deletes up to {@code limit} rows that expired before {@code now} (receipts of rejected events). */
    int purgeExpired(long now, int limit);

    long count();
}
