package io.podsync.server.console;

import io.podsync.protocol.LatencyKind;
import io.podsync.protocol.LatencyWindow;
import io.podsync.server.auth.Principal;
import java.time.Instant;
import java.util.List;

/**
 * Where the Today page reads the business latencies it draws: time buckets of one kind over a window, as {@code GET
 * /v1/ops/latencies?kind=...&window=PT1H|P1D} answers them ({@link OpsSources#latencies}); {@link #NONE} has none.
 */
@FunctionalInterface
public interface LatencySource {
    /** Nothing measured yet. */
    LatencySource NONE = (p, kind, window) -> List.of();

    /** The name a person reads for a latency. */
    static String label(LatencyKind kind) {
        return switch (kind) {
            case ORDER_TO_DISPATCH -> "Order to dispatch";
            case DISPATCH_TO_CONFIRMATION -> "Dispatch to confirmation";
            case POD_POSTING -> "POD posting";
        };
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
    List<Bucket> buckets(Principal p, LatencyKind kind, LatencyWindow window);
}
