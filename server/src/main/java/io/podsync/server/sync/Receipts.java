package io.podsync.server.sync;

import io.podsync.protocol.EventResult;
import io.podsync.protocol.Verdict;
import io.podsync.storage.EventRow;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** The receipt of a stored event: derived from its row, so a replay gets exactly what the first push got. */
final class Receipts {
    private Receipts() {}

    static EventResult of(EventRow row) {
        List<String> flags =
                row.flags().isEmpty() ? null : Arrays.asList(row.flags().split(","));
        return new EventResult(
                null,
                row.idempotencyKey(),
                row.seq(),
                row.stopId(),
                Verdict.valueOf(row.verdict()),
                row.reason(),
                row.field(),
                flags,
                Instant.ofEpochMilli(row.receivedAt()),
                null);
    }
}
