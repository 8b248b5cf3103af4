package io.podsync.server.console;

import io.podsync.server.auth.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the Trace page reads an order's, route's, stop's, request's or artifact's history: the trace API ({@code GET
 * /v1/ops/trace}). Until the ops side has it the console runs on {@link #NONE} and says the trace is not available
 * yet; wiring it is one lambda in {@code PodsyncServer}.
 */
@FunctionalInterface
public interface TraceSource {
    /** No trace API yet. */
    TraceSource NONE = (p, by, value) -> Optional.empty();

    /** What a search is by, with the trace API's parameter name. */
    enum By {
        ORDER("orderId", "ERP order id"),
        ROUTE("routeId", "Route"),
        STOP("stopId", "Stop"),
        CORRELATION("correlationId", "Correlation id"),
        EVENT("idempotencyKey", "Event idempotency key"),
        ARTIFACT("sha256", "Artifact hash (SHA-256)");

        private final String parameter;
        private final String label;

        By(String parameter, String label) {
            this.parameter = parameter;
            this.label = label;
        }

        public String parameter() {
            return parameter;
        }

        public String label() {
            return label;
        }
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
    Optional<List<Step>> trace(Principal p, By by, String value);
}
