package io.podsync.storage.jdbc;

import io.podsync.storage.OrderLineRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What SQLite's single writer remembers of the rows a push reads for every stop it touches (the stop as the push
 * path reads it, its order lines, its derived state), so that a push reads them from memory rather than from the
 * database: three statements of about a dozen per push (JFR put them at a tenth of the writer's samples, though A/B
 * runs on the development machine could not tell the gain from its noise). Every write to these rows goes through
 * this same writer. An entry is dropped when its row is written and everything is dropped when a transaction or
 * savepoint rolls back (an entry may have been read from what was undone). Only the writer's thread uses it;
 * PostgreSQL, where other replicas write too, has none.
 *
 * <p>It also counts the transactions that wrote route rows, which is how a {@link io.podsync.storage.ReadAhead} made
 * on another thread is known to be still current.
 */
public final class WriterCache {
    /** Stops per map: about one kilobyte each, so the three maps stay under some 50 MiB. */
    static final int MAX_STOPS = 16_384;

    private final Map<String, StopRow> stops = lru();
    private final Map<String, List<OrderLineRow>> lines = lru();
    private final Map<String, Optional<StopStateRow>> states = lru();
    /** Written by the writer's thread only, read by any (a read ahead takes it before it reads). */
    private volatile long generation;
    /** Whether the open transaction wrote route rows. */
    private boolean routesWritten;

    StopRow stop(String stopId) {
        return stops.get(stopId);
    }

    void stop(StopRow stop) {
        stops.put(stop.stopId(), stop);
    }

    List<OrderLineRow> lines(String stopId) {
        return lines.get(stopId);
    }

    void lines(String stopId, List<OrderLineRow> rows) {
        lines.put(stopId, List.copyOf(rows));
    }

    /** The stop's state: null when not known here, empty when the stop has none. */
    Optional<StopStateRow> state(String stopId) {
        return states.get(stopId);
    }

    void state(String stopId, StopStateRow state) {
        states.put(stopId, Optional.ofNullable(state));
    }

    /** The stop row or its lines are being written. */
    void forgetStop(String stopId) {
        routesWritten();
        stops.remove(stopId);
    }

    void forgetLines(String stopId) {
        routesWritten();
        lines.remove(stopId);
    }

    /** A route, stop, line or assignment row is being written in the open transaction. */
    void routesWritten() {
        routesWritten = true;
    }

    /** How many transactions have written route rows, as of the last one to end. */
    public long generation() {
        return generation;
    }

    /**
     * Whether route rows read by a reader that took {@code seen} from {@link #generation} before it began are still
     * what the open transaction sees. A transaction that wrote route rows counts only once it has ended, so a reader
     * that began while it was open fails this test whether or not it saw that transaction's rows; and the open
     * transaction itself never trusts such rows once it has written route rows of its own.
     */
    boolean current(long seen) {
        return !routesWritten && generation == seen;
    }

    /** The open transaction committed or rolled back. */
    public void ended() {
        if (routesWritten) {
            routesWritten = false;
            generation++; // only the writer's thread writes it
        }
    }

    /** After a rollback: what was read may have come from what was undone. */
    public void clear() {
        stops.clear();
        lines.clear();
        states.clear();
    }

    int size() {
        return stops.size() + lines.size() + states.size();
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(1_024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_STOPS;
            }
        };
    }
}
