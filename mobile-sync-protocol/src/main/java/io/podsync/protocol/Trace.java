package io.podsync.protocol;

import java.util.List;

/**
 * The history of an order, a route, a stop, a request, an event or an artifact ({@code GET /v1/ops/trace}): what the
 * key led to, every recorded step in time order, and the links still missing.
 *
 * @param by the key the trace started from
 * @param value its value
 * @param routeIds the routes the key led to
 * @param stopIds the stops the key led to
 * @param entries the steps, earliest first (ties in the order of the process: release, pull, event, evidence,
 *     exception, message)
 * @param truncated true when there were more than {@code limit} steps (the earliest {@code limit} are given), or the key
 *     led to more than 1000 stops or routes (the first 1000 are traced)
 * @param limit the most steps an answer holds
 * @param complete true when no link is missing
 * @param missing the missing links (trace completeness), each at most once
 */
public record Trace(
        TraceKey by,
        String value,
        List<String> routeIds,
        List<String> stopIds,
        List<TraceEntry> entries,
        boolean truncated,
        int limit,
        boolean complete,
        List<TraceGap> missing) {}
