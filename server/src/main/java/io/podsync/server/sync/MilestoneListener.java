package io.podsync.server.sync;

import io.podsync.protocol.GeoFix;
import io.podsync.storage.EventRow;
import io.podsync.storage.RouteRow;
import io.podsync.storage.Tx;
import java.math.BigDecimal;
import java.util.List;

/**
 * Told, inside the transaction, about the moments the milestone stream reports; the ERP forwarding listens. Every
 * method does nothing by default, and the listener decides whether any endpoint wants the moment before it does work.
 */
public interface MilestoneListener {
    /** An arrival or departure a device pushed, stored as applied or awaiting its evidence (not fenced, not refused). */
    record Seen(EventRow event, GeoFix location, BigDecimal odometerKm) {}

    /** Arrivals and departures of a push. */
    default void eventsSeen(Tx tx, List<Seen> events, long now) {}

    /** A route got a new version ({@code route} as stored now): released, amended, reassigned or cancelled. */
    default void routeChanged(Tx tx, RouteRow route, long now) {}

    /** A device of the route's driver pulled this version of the route first. */
    default void routeDispatched(Tx tx, String routeId, long version, String driverId, String deviceId, long now) {}

    MilestoneListener NONE = new MilestoneListener() {};
}
