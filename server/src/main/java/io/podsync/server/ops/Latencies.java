package io.podsync.server.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.ErpEventType;
import io.podsync.protocol.LatencyKind;
import io.podsync.protocol.LatencySeries;
import io.podsync.protocol.LatencyWindow;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.OpsRepository;
import io.podsync.storage.jdbc.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The business latencies of the last hour or day, in buckets, read from the database: the same moments the metric
 * histograms measure (a release and a first pull, a first pull and a first confirmation, a capture and an
 * acknowledgement), so every replica answers alike and a restart loses nothing. At most {@value #MAX_ROWS} latencies
 * are read per answer (the newest); a busier window says it was truncated.
 */
final class Latencies {
    static final int MAX_ROWS = 10_000;
    private static final List<String> POD_TYPES = Arrays.stream(ErpEventType.values())
            .filter(ErpEventType::isPod)
            .map(ErpEventType::wire)
            .toList();

    private Latencies() {}

    /**
     * When the outcome a proof-of-delivery message ({@code data}) confirms was captured, on the server's clock (the
     * device's time corrected by its measured offset; the device's own time from messages written before 1.1), or
     * null when it is no such message.
     */
    static Instant capturedAt(JsonNode data) {
        JsonNode at = data.hasNonNull("correctedAt") ? data.get("correctedAt") : data.get("capturedAt");
        return at == null || at.isNull() || !data.hasNonNull("outcome") ? null : Instant.parse(at.asText());
    }

    static LatencySeries read(Database db, LatencyKind kind, LatencyWindow window, long now) {
        long width = window.bucket().toMillis();
        long to = Math.floorDiv(now, width) * width + width; // the bucket now is in ends the window
        long from = to - window.length().toMillis();
        List<OpsRepository.Latency> rows = db.read(tx -> switch (kind) {
            case ORDER_TO_DISPATCH -> tx.ops().dispatchLatencies(from, to, MAX_ROWS);
            case DISPATCH_TO_CONFIRMATION -> tx.ops().confirmationLatencies(from, to, MAX_ROWS);
            case POD_POSTING ->
                tx.ops().acknowledged(POD_TYPES, from, to, MAX_ROWS).stream()
                        .map(a -> {
                            Instant captured = capturedAt(ProtocolJson.read(a.payloadJson(), JsonNode.class)
                                    .path("data"));
                            return new OpsRepository.Latency(
                                    a.deliveredAt(), captured == null ? null : captured.toEpochMilli());
                        })
                        .toList();
        });
        int n = window.buckets();
        List<List<Long>> millis = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            millis.add(new ArrayList<>());
        }
        for (OpsRepository.Latency l : rows) {
            if (l.startedAt() == null) {
                continue; // a stop whose route its driver never pulled: no dispatch to measure from
            }
            millis.get((int) ((l.endedAt() - from) / width)).add(Math.max(0, l.endedAt() - l.startedAt()));
        }
        List<LatencySeries.Bucket> buckets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Long> b = millis.get(i);
            b.sort(null);
            buckets.add(new LatencySeries.Bucket(
                    Instant.ofEpochMilli(from + i * width), b.size(), percentile(b, 0.5), percentile(b, 0.9)));
        }
        return new LatencySeries(kind, window, buckets, rows.size() >= MAX_ROWS);
    }

    /** Nearest rank, in seconds; null for no values. */
    static Double percentile(List<Long> sortedMillis, double q) {
        if (sortedMillis.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(q * sortedMillis.size());
        return sortedMillis.get(Math.max(0, rank - 1)) / 1000.0;
    }
}
