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
 */
public final class WriterCache {
    /** Stops per map: about one kilobyte each, so the three maps stay under some 50 MiB. */
    static final int MAX_STOPS = 16_384;

    private final Map<String, StopRow> stops = lru();
    private final Map<String, List<OrderLineRow>> lines = lru();
    private final Map<String, Optional<StopStateRow>> states = lru();

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
        stops.remove(stopId);
    }

    void forgetLines(String stopId) {
        lines.remove(stopId);
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
