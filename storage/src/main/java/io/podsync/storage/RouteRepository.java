package io.podsync.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Routes, their stops and order lines, who held which stop, and derived stop states. */
public interface RouteRepository {
    Optional<RouteRow> findRoute(String routeId);

    /** Stores the route's current version and keeps it in the route's history ({@code route_versions}). */
    void upsertRoute(RouteRow route);

    List<StopRow> stopsOfRoute(String routeId);

    Map<String, StopRow> findStops(Collection<String> stopIds);

    /**
     * Like {@link #findStops} but without the device view ({@code viewJson} is null), and holds the stops until commit
     * (on PostgreSQL, {@code FOR UPDATE} in id order), so that two pushes for one stop fold its state one after the
     * other. SQLite has a single writer already.
     */
    Map<String, StopRow> lockStops(Collection<String> stopIds);

    /**
     * Stores the stop's current version; the version it replaces goes to the stop's history ({@code stop_versions}),
     * so that an event captured against it can be read against it later.
     */
    void upsertStop(StopRow stop);

    /**
     * These versions of a stop, by version, from its history or its current row; versions never kept (before the
     * history began) are left out.
     */
    Map<Long, StopVersionRow> stopVersions(String stopId, Collection<Long> versions);

    /** The highest version of the stop this device pulled at or before {@code at}; empty when it pulled none. */
    Optional<Long> versionPulled(String deviceId, String stopId, long at);

    /** The highest version of the stop written at or before {@code at}; empty when there was none yet. */
    Optional<Long> versionReleased(String stopId, long at);

    /** A version of a route or stop that a device pulled. */
    record Pulled(String id, long version) {}

    /**
     * Records the first pull of each route and stop version by this device (later pulls keep the first time), and
     * returns the route versions that no device of {@code driverId} had pulled before: those were just dispatched.
     */
    List<Pulled> recordPulls(String deviceId, String driverId, List<Pulled> routes, List<Pulled> stops, long at);

    /** Whether a device of this driver pulled this version of the route. */
    boolean dispatched(String routeId, long version, String driverId);

    /** Widens the route's range of odometer readings (km) to include {@code min} and {@code max}. */
    void recordOdometer(String routeId, double min, double max, long at);

    /** The route's lowest and highest odometer reading (km), when any was reported. */
    Optional<double[]> odometer(String routeId);

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
