package io.podsync.server.sync;

import io.podsync.protocol.Change;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.ChangeRow;
import io.podsync.storage.Database;
import io.podsync.storage.EventRow;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Delta pull: the changes since a cursor for the calling driver (routes, stops, stop states, tombstones, from the
 * change feed) and device (verdicts of its own events, from the event log). Three index range scans (the feed is two
 * tables) of at most {@code limit + 1} rows each, so the cost follows what is returned, not the size of the feed.
 */
public final class PullProcessor {
    private final Database db;
    private final Clock clock;
    private final CursorCodec cursors;

    public PullProcessor(Database db, Clock clock, CursorCodec cursors) {
        this.db = db;
        this.clock = clock;
        this.cursors = cursors;
    }

    public PullResponse pull(String driverId, String deviceId, String cursor, int limit) {
        boolean fromScratch = cursor == null || cursor.isEmpty();
        long after = fromScratch ? 0 : cursors.decode(deviceId, cursor);
        List<ChangeRow> rows = db.read(tx -> {
            List<ChangeRow> merged = new ArrayList<>(tx.changes().since(Audiences.driver(driverId), after, limit + 1));
            List<EventRow> verdicts = tx.events().verdictsSince(deviceId, after, limit + 1);
            List<String> awaiting = verdicts.stream()
                    .filter(e -> Verdict.AWAITING_EVIDENCE.name().equals(e.verdict()))
                    .map(EventRow::idempotencyKey)
                    .toList();
            Map<String, List<String>> missing =
                    awaiting.isEmpty() ? Map.of() : tx.evidence().missingFor(deviceId, awaiting);
            for (EventRow e : verdicts) {
                String json = ProtocolJson.toString(Receipts.of(e, missing.get(e.idempotencyKey())));
                merged.add(new ChangeRow(
                        Audiences.device(deviceId),
                        Change.VERDICT,
                        e.idempotencyKey(),
                        e.feedSeq(),
                        false,
                        json,
                        e.receivedAt()));
            }
            merged.sort(Comparator.comparingLong(ChangeRow::seq));
            return merged;
        });
        boolean hasMore = rows.size() > limit;
        List<ChangeRow> page = hasMore ? rows.subList(0, limit) : rows;
        long position = page.isEmpty() ? after : page.get(page.size() - 1).seq();
        List<Change> changes = new ArrayList<>(page.size());
        for (ChangeRow r : page) {
            if (fromScratch && r.deleted() && r.dataJson() == null) {
                continue; // a fresh device has nothing to delete
            }
            changes.add(new Change(
                    r.kind(),
                    r.entityId(),
                    r.deleted(),
                    r.dataJson() == null
                            ? null
                            : ProtocolJson.read(r.dataJson(), com.fasterxml.jackson.databind.JsonNode.class)));
        }
        return new PullResponse(
                cursors.encode(deviceId, position), hasMore, Instant.ofEpochMilli(clock.millis()), changes);
    }
}
