package io.podsync.server.console;

import io.podsync.server.auth.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Where the Today page reads the business latencies it draws: time buckets of one kind over a window, as {@code GET
 * /v1/ops/latencies?kind=...&window=PT1H|P1D} answers them. Until the ops side has that operation the console runs on
 * {@link #NONE} and says "no data yet"; wiring it is one lambda in {@code PodsyncServer}.
 */
@FunctionalInterface
public interface LatencySource {
    /** Nothing measured yet. */
    LatencySource NONE = (p, kind, window) -> List.of();

    /** The latencies operations watch, with their wire names. */
    enum Kind {
        ORDER_TO_DISPATCH("order_to_dispatch", "Order to dispatch"),
        DISPATCH_TO_CONFIRMATION("dispatch_to_confirmation", "Dispatch to confirmation"),
        POD_POSTING("pod_posting", "POD posting");

        private final String wire;
        private final String label;

        Kind(String wire, String label) {
            this.wire = wire;
            this.label = label;
        }

        public String wire() {
            return wire;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One time bucket.
     *
     * @param count how many were measured in it
     * @param p50Seconds the median in seconds (null when the bucket is empty)
     * @param p90Seconds the 90th percentile in seconds (null when the bucket is empty)
     */
    record Bucket(Instant start, long count, Double p50Seconds, Double p90Seconds) {}

    /** The buckets of {@code kind} over the last {@code window}, oldest first, read as {@code p}. */
    List<Bucket> buckets(Principal p, Kind kind, Duration window);
}
