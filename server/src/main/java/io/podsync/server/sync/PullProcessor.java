package io.podsync.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.Change;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.ChangeRow;
import io.podsync.storage.EventRow;
import io.podsync.storage.RouteRepository;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delta pull: the changes since a cursor for the calling driver (routes, stops, stop states, tombstones, from the
 * change feed) and device (verdicts of its own events, from the event log). Three index range scans (the feed is two
 * tables) of at most {@code limit + 1} rows each, so the cost follows what is returned, not the size of the feed.
 *
 * <p>A page that carries routes or stops is also recorded: which versions this device got and when (a route version
 * a device of its driver gets first is dispatched; the stop versions tell which manifest an app that does not send
 * {@code stopVersion} had). Any pull counts as the device syncing, written at most once a minute per device.
 */
public final class PullProcessor {
    private static final long TOUCH_EVERY_MILLIS = 60_000;

    private final Database db;
    private final Clock clock;
    private final CursorCodec cursors;
    private final MilestoneListener milestones;
    private final Map<String, Long> touched = new ConcurrentHashMap<>();

    public PullProcessor(Database db, Clock clock, CursorCodec cursors, MilestoneListener milestones) {
        this.db = db;
        this.clock = clock;
        this.cursors = cursors;
        this.milestones = milestones;
    }

    public PullResponse pull(String driverId, String deviceId, String cursor, int limit) {
        return pull(driverId, deviceId, cursor, limit, true);
    }

    /**
     * A page of changes; {@code delivered} false when its body is not sent (HEAD), so that no route version counts as
     * dispatched to the device.
     */
    public PullResponse pull(String driverId, String deviceId, String cursor, int limit, boolean delivered) {
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
        List<RouteRepository.Pulled> routes = new ArrayList<>();
        List<RouteRepository.Pulled> stops = new ArrayList<>();
        for (ChangeRow r : page) {
            if (fromScratch && r.deleted() && r.dataJson() == null) {
                continue; // a fresh device has nothing to delete
            }
            JsonNode data = r.dataJson() == null ? null : ProtocolJson.read(r.dataJson(), JsonNode.class);
            changes.add(new Change(r.kind(), r.entityId(), r.deleted(), data));
            if (data != null && !r.deleted() && data.path("version").canConvertToLong()) {
                RouteRepository.Pulled pulled = new RouteRepository.Pulled(
                        r.entityId(), data.get("version").asLong());
                if (r.kind().equals(Change.ROUTE)) {
                    routes.add(pulled);
                } else if (r.kind().equals(Change.STOP)) {
                    stops.add(pulled);
                }
            }
        }
        long now = clock.millis();
        if (delivered) {
            record(driverId, deviceId, routes, stops, now);
        }
        return new PullResponse(cursors.encode(deviceId, position), hasMore, Instant.ofEpochMilli(now), changes);
    }

    private void record(
            String driverId,
            String deviceId,
            List<RouteRepository.Pulled> routes,
            List<RouteRepository.Pulled> stops,
            long now) {
        boolean touch = now - touched.getOrDefault(deviceId, Long.MIN_VALUE / 2) >= TOUCH_EVERY_MILLIS;
        if (routes.isEmpty() && stops.isEmpty() && !touch) {
            return;
        }
        db.write(tx -> {
            if (!routes.isEmpty() || !stops.isEmpty()) {
                for (RouteRepository.Pulled r : tx.routes().recordPulls(deviceId, driverId, routes, stops, now)) {
                    milestones.routeDispatched(tx, r.id(), r.version(), driverId, deviceId, now);
                }
            }
            tx.devices().touch(deviceId, now);
            return null;
        });
        if (touched.size() > 100_000) {
            touched.clear(); // a bound, not a policy: a device forgotten here is written once more
        }
        touched.put(deviceId, now);
    }
}
