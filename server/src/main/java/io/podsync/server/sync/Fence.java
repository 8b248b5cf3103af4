package io.podsync.server.sync;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.RejectReasons;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.storage.StopRow;

/**
 * The fence step of a push: whether an event may touch its stop. A driver's events count for the stops they hold; an
 * event for a stop they held before a reassignment is stored but not counted; anything else is refused.
 */
enum Fence {
    /** The driver holds the stop: the event is checked and counted. */
    HELD(null, null),
    /** The driver held the stop before it was reassigned: stored, not counted, shown to a person. */
    REASSIGNED(RejectReasons.STOP_REASSIGNED, null),
    /** No such stop, or never the driver's: refused. */
    NOT_ASSIGNED(RejectReasons.STOP_NOT_ASSIGNED, "stopId"),
    /** A stop version the stop never had: versions only grow, so no device can have seen a later one. */
    VERSION_AHEAD(ViolationCodes.OUT_OF_RANGE, "stopVersion");

    /** The reason recorded with the event, or {@code null}. */
    final String reason;
    /** The event's field a refusal names, or {@code null} when the event is not refused. */
    final String field;

    Fence(String reason, String field) {
        this.reason = reason;
        this.field = field;
    }

    boolean refuses() {
        return field != null;
    }

    /**
     * @param stop the event's stop, {@code null} when there is none
     * @param foreign whether the stop is now another driver's
     * @param heldBefore whether the driver ever held it
     */
    static Fence of(CapturedEvent e, StopRow stop, boolean foreign, boolean heldBefore) {
        if (stop == null || (foreign && !heldBefore)) {
            return NOT_ASSIGNED;
        }
        if (e.stopVersion() != null && e.stopVersion() > stop.version()) {
            return VERSION_AHEAD;
        }
        return foreign ? REASSIGNED : HELD;
    }
}
