package io.podsync.protocol;

import java.time.Instant;
import java.util.List;

/**
 * One business latency over the last hour or day, in buckets by the moment each latency ended (a dispatch, a
 * confirmation, an acknowledgement), oldest first. The buckets are aligned to their width, so the last one is still
 * filling.
 *
 * @param truncated true when the window held more latencies than one answer reads: the newest were read, and the
 *     oldest buckets are short
 */
public record LatencySeries(LatencyKind kind, LatencyWindow window, List<Bucket> buckets, boolean truncated) {

    /**
     * One bucket: how many latencies ended in {@code [start, start + width)}, and their median and 90th percentile
     * (nearest rank; absent when the count is 0).
     */
    public record Bucket(Instant start, int count, Double p50Seconds, Double p90Seconds) {}
}
