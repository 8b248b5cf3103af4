package io.podsync.server.console;

import io.podsync.protocol.TraceKey;
import io.podsync.server.auth.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the Trace page reads an order's, route's, stop's, request's or artifact's history: the trace API ({@code GET
 * /v1/ops/trace}, {@link OpsSources#trace}); {@link #NONE} has none.
 */
@FunctionalInterface
public interface TraceSource {
    /** No trace API yet. */
    TraceSource NONE = (p, by, value) -> Optional.empty();

    /** The name a person reads for what a search is by. */
    static String label(TraceKey key) {
        return switch (key) {
            case ORDER_ID -> "ERP order id";
            case ROUTE_ID -> "Route";
            case STOP_ID -> "Stop";
            case CORRELATION_ID -> "Correlation id";
            case IDEMPOTENCY_KEY -> "Event idempotency key";
            case SHA256 -> "Artifact hash (SHA-256)";
        };
    }

    /**
     * One step of a history.
     *
     * @param what what happened ({@code route released}, {@code delivered}, {@code sent to erp}, ...)
     * @param who who did it (a client, a driver and device, a person signed in to the console), or null
     * @param detail a line of detail, or null
     * @param link a console page with the step's detail (an exception, an ERP message), or null
     */
    record Step(Instant at, String what, String who, String detail, String link) {}

    /** The history found, oldest first (empty when nothing matches); empty Optional when no trace can be read. */
    Optional<List<Step>> trace(Principal p, TraceKey by, String value);
}
