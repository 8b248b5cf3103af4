package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Routes, their stops and order lines, who held which stop, and derived stop states. */
public interface RouteRepository {
    Optional<RouteRow> findRoute(String routeId);

    void upsertRoute(RouteRow route);

    List<StopRow> stopsOfRoute(String routeId);

    Map<String, StopRow> findStops(Collection<String> stopIds);

    /**
     * Like {@link #findStops} but without the device view ({@code viewJson} is null), and holds the stops until commit
     * (on PostgreSQL, {@code FOR UPDATE} in id order), so that two pushes for one stop fold its state one after the
     * other. SQLite has a single writer already.
     */
    Map<String, StopRow> lockStops(Collection<String> stopIds);

    void upsertStop(StopRow stop);

    void replaceLines(String stopId, List<OrderLineRow> lines);

    List<OrderLineRow> linesOfStops(Collection<String> stopIds);

    void assign(String stopId, String driverId, long at);

    void unassign(String stopId, String driverId, long at);

    /** Of these stops, the ones this driver ever held. */
    Set<String> stopsEverHeld(String driverId, Collection<String> stopIds);

    Map<String, StopStateRow> findStates(Collection<String> stopIds);

    /**
     * Stores these stop states (one statement, batched), replacing what each stop had, each with a fresh change-feed
     * sequence number: a stored state is its audience's {@code stop_state} change.
     */
    void upsertStates(List<StopStateRow> states);
}
