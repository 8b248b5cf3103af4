package io.podsync.server.console;

import io.podsync.protocol.LatencySeries;
import io.podsync.protocol.Trace;
import io.podsync.protocol.TraceEntry;
import io.podsync.server.ops.OpsService;
import io.podsync.server.ops.TraceService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The console's sources on the ops side's operations: the Today page's latencies from {@link OpsService#latencies}
 * (what {@code GET /v1/ops/latencies} answers) and the Trace page's history from {@link TraceService#trace} (what
 * {@code GET /v1/ops/trace} answers), with the same authorization as the API.
 */
public final class OpsSources {
    /** How many steps the Trace page shows; the API gives more on request. */
    static final int TRACE_LIMIT = 1000;

    private OpsSources() {}

    public static LatencySource latencies(OpsService ops) {
        return (p, kind, window) -> {
            LatencySeries series = ops.latencies(p, kind, window);
            return series.buckets().stream()
                    .map(b -> new LatencySource.Bucket(b.start(), b.count(), b.p50Seconds(), b.p90Seconds()))
                    .toList();
        };
    }

    public static TraceSource trace(TraceService traces) {
        return (p, by, value) -> {
            Trace t = traces.trace(p, by, value, TRACE_LIMIT);
            List<TraceSource.Step> steps = new ArrayList<>();
            for (TraceEntry e : t.entries()) {
                steps.add(new TraceSource.Step(
                        e.at(), e.kind().wire().replace('_', ' '), e.actor(), e.summary(), link(e)));
            }
            return Optional.of(steps);
        };
    }

    /** The console page with a step's detail: its exception, its ERP message, or its stop's trace. */
    private static String link(TraceEntry e) {
        if (e.exceptionId() != null) {
            return "/ops/exceptions/" + e.exceptionId();
        }
        if (e.outboxId() != null) {
            return "/ops/erp/messages/" + e.outboxId();
        }
        if (e.stopId() != null) {
            return "/ops/trace?by=stopId&q="
                    + java.net.URLEncoder.encode(e.stopId(), java.nio.charset.StandardCharsets.UTF_8);
        }
        return null;
    }
}
