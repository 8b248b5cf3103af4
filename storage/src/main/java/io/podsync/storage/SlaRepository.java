package io.podsync.storage;

import java.util.List;

/** What the SLA timers look for: breaches that have no finding yet, and whether an open breach still holds. */
public interface SlaRepository {
    /** An active stop whose time window ended before the cutoff with no arrival or outcome. */
    record LateStop(String stopId, String routeId, String driverId, long windowEnd) {}

    /** An active route that no device of its driver has pulled (in any version). */
    record UndispatchedRoute(String routeId, long version, String driverId, String serviceDate) {}

    /** An active device that pulled a route in progress and has not synced since {@code lastSeenAt}. */
    record SilentDevice(String deviceId, String driverId, String routeId, long lastSeenAt) {}

    /**
     * Stops whose window ended in {@code [from, to)} and that have neither an arrival nor an outcome, without a finding
     * of key {@code findingPrefix + stopId + ':' + windowEnd} yet; oldest first.
     */
    List<LateStop> lateStops(long from, long to, String findingPrefix, int limit);

    /** Whether the stop is active and still has neither an arrival nor an outcome. */
    boolean stillLate(String stopId);

    /**
     * Active routes with a service date in {@code [fromDate, toDate]} (ISO dates) that no device of their driver has
     * pulled, without a finding of key {@code findingPrefix + routeId + ':' + driverId} yet.
     */
    List<UndispatchedRoute> undispatchedRoutes(String fromDate, String toDate, String findingPrefix, int limit);

    /** Whether the route is active and no device of its driver has pulled it. */
    boolean stillUndispatched(String routeId);

    /**
     * Active devices last seen before {@code before} that pulled an active route with a service date in {@code
     * [fromDate, toDate]} which has started (a stop has a state) and not finished (an active stop has no outcome),
     * without a finding of key {@code findingPrefix + deviceId + ':' + lastSeenAt} yet.
     */
    List<SilentDevice> silentDevices(long before, String fromDate, String toDate, String findingPrefix, int limit);

    /**
     * Whether the device is active, has not synced since {@code lastSeenAt}, and still has a route in progress (as
     * {@link #silentDevices} defines it).
     */
    boolean stillSilent(String deviceId, long lastSeenAt, String fromDate, String toDate);
}
