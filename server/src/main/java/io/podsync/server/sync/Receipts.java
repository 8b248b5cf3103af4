package io.podsync.server.sync;

import io.podsync.protocol.EventResult;
import io.podsync.protocol.Verdict;
import io.podsync.storage.EventRow;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The receipt of a stored event: derived from its row, so a replay gets what the first push got, as it stands now
 * (an event awaiting evidence becomes applied once its evidence is stored).
 */
public final class Receipts {
    private Receipts() {}

    /** @param missing the hashes an awaiting event still needs; ignored for other verdicts */
    public static EventResult of(EventRow row, List<String> missing) {
        List<String> flags =
                row.flags().isEmpty() ? null : Arrays.asList(row.flags().split(","));
        Verdict verdict = Verdict.valueOf(row.verdict());
        return new EventResult(
                null,
                row.idempotencyKey(),
                row.seq(),
                row.stopId(),
                verdict,
                row.reason(),
                row.field(),
                flags,
                Instant.ofEpochMilli(row.receivedAt()),
                verdict == Verdict.AWAITING_EVIDENCE && missing != null && !missing.isEmpty()
                        ? List.copyOf(missing)
                        : null,
                null,
                row.resolution());
    }

    static EventResult withIndex(EventResult r, int index) {
        return new EventResult(
                index,
                r.idempotencyKey(),
                r.seq(),
                r.stopId(),
                r.verdict(),
                r.reason(),
                r.field(),
                r.flags(),
                r.receivedAt(),
                r.missingEvidence(),
                r.original(),
                r.resolution());
    }
}
