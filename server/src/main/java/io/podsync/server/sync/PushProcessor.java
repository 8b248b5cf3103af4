package io.podsync.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.Verdict;
import io.podsync.server.observe.Telemetry;
import io.podsync.storage.EventRow;
import io.podsync.storage.EvidenceLinkRow;
import io.podsync.storage.Tx;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies a push: every event gets its own verdict, all of them in one transaction together with the event log, the
 * evidence links, the derived stop states, the change feed and the exceptions. A bad event is a verdict, never a
 * failure of the batch. An event that references evidence the server does not have yet is stored as
 * {@code awaiting_evidence} and counted once the last of it arrives.
 *
 * <p>The pipeline, in order: parse ({@link PushItem}), look up ({@link PushLookups}), decide each event as if new
 * ({@link EventDecider}: fence, check, gate), store, answer ({@link PushAnswers}: receipts, duplicates, conflicts),
 * fold and confirm ({@link StopStates#finish}), record the device's sync.
 */
public final class PushProcessor {
    /** Tunables of the push path, from {@link io.podsync.server.ServerConfig}. */
    public record Settings(Duration receiptRetention, Duration clockTrustTolerance, Duration futureTolerance) {}

    private final Database db;
    private final Clock clock;
    private final Settings settings;
    private final SyncListener listener;
    private final StopStates states;

    public PushProcessor(Database db, Clock clock, Settings settings, SyncListener listener, StopStates states) {
        this.db = db;
        this.clock = clock;
        this.settings = settings;
        this.listener = listener;
        this.states = states;
    }

    /** @param correlationId the request's correlation id, stored with its events so it travels on to the ERP */
    public PushResponse push(
            String driverId, String deviceId, Instant sentAt, List<JsonNode> rawEvents, String correlationId) {
        return Telemetry.span("podsync.push", () -> {
            Telemetry.attribute("podsync.device_id", deviceId);
            Telemetry.attribute("podsync.events", rawEvents.size());
            return pushed(driverId, deviceId, sentAt, rawEvents, correlationId);
        });
    }

    private PushResponse pushed(
            String driverId, String deviceId, Instant sentAt, List<JsonNode> rawEvents, String correlationId) {
        PushContext ctx = PushContext.of(driverId, deviceId, sentAt, clock.millis(), settings, correlationId);
        List<PushItem> items = PushItem.parseAll(rawEvents);
        List<EventResult> results = db.write(tx -> apply(tx, ctx, items));
        report(ctx, items, results);
        return new PushResponse(Instant.ofEpochMilli(ctx.receivedAt()), ctx.measuredOffset(), results);
    }

    /**
     * Every event is decided as if it were new and all of them are stored in one batch, which skips those whose key or
     * sequence number is taken; only those are then looked up. A later event with a key used earlier in the push is
     * answered from the first.
     */
    private List<EventResult> apply(Tx tx, PushContext ctx, List<PushItem> items) {
        PushLookups lookups = PushLookups.read(tx, ctx.driverId(), items);
        EventDecider decider =
                new EventDecider(tx, lookups, ctx, settings.futureTolerance().toMillis());
        EventDecider.Decision[] decisions = decideFirsts(items, decider);
        boolean[] stored = store(tx, items, decisions);
        PushAnswers answers = new PushAnswers(tx, ctx, decider, items.size());
        StopStates.Batch batch = new StopStates.Batch();
        List<EvidenceLinkRow> links = new ArrayList<>();
        for (PushItem item : items) {
            EventDecider.Decision d = answers.answer(item, decisions[item.index()], stored[item.index()]);
            if (d != null) {
                takeEffect(ctx, item, d, batch, links);
            }
        }
        tx.evidence().link(links);
        states.finish(tx, batch, lookups.stops, ctx.receivedAt());
        tx.devices().recordSync(ctx.deviceId(), ctx.receivedAt(), ctx.measuredOffset(), answers.maxSeq());
        String refusal = PushAnswers.lastRefusal(answers.results());
        if (refusal != null) { // operations see the device's last refusal in its listing
            tx.devices().recordError(ctx.deviceId(), refusal, ctx.receivedAt());
        }
        return answers.results();
    }

    /** Decides every event but the later twins of a key (left {@code null}: they are answered from the first). */
    private static EventDecider.Decision[] decideFirsts(List<PushItem> items, EventDecider decider) {
        EventDecider.Decision[] decisions = new EventDecider.Decision[items.size()];
        Set<String> keys = new HashSet<>();
        for (PushItem item : items) {
            if (!item.storable() || keys.add(item.key())) {
                decisions[item.index()] = decider.decide(item);
            }
        }
        return decisions;
    }

    /** Stores the decided storable events in one batch; whether each event was stored (not a taken key or seq). */
    private static boolean[] store(Tx tx, List<PushItem> items, EventDecider.Decision[] decisions) {
        int[] rowOf = new int[items.size()];
        List<EventRow> rows = new ArrayList<>();
        for (PushItem item : items) {
            rowOf[item.index()] = -1;
            if (decisions[item.index()] != null && item.storable()) {
                rowOf[item.index()] = rows.size();
                rows.add(decisions[item.index()].row());
            }
        }
        boolean[] inserted = tx.events().insertAll(rows);
        boolean[] stored = new boolean[items.size()];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = rowOf[i] >= 0 && inserted[rowOf[i]];
        }
        return stored;
    }

    /** What a new event that was not refused sets off: its evidence links, its count, the trip's moments, findings. */
    private static void takeEffect(
            PushContext ctx,
            PushItem item,
            EventDecider.Decision d,
            StopStates.Batch batch,
            List<EvidenceLinkRow> links) {
        Verdict verdict = Verdict.valueOf(d.row().verdict());
        if (verdict == Verdict.REJECTED) {
            return;
        }
        CapturedEvent e = item.event();
        for (String sha : PushItem.evidenceOf(e)) {
            links.add(new EvidenceLinkRow(ctx.deviceId(), item.key(), sha, ctx.driverId()));
        }
        if (verdict == Verdict.APPLIED) {
            batch.counted(d.row(), new StopStates.Added(e.type(), e.attemptOrDefault()));
        }
        if (isMoment(verdict, e.type())) {
            EventPayload p = e.payloadOrEmpty();
            batch.seen(new MilestoneListener.Seen(d.row(), p.location(), p.odometerKm()));
        }
        d.findings().forEach(batch::exception);
    }

    /** An arrival or departure at a stop the driver holds (applied or awaiting evidence) is a moment of the trip. */
    static boolean isMoment(Verdict verdict, EventType type) {
        return verdict != Verdict.REASSIGNED
                && verdict != Verdict.REJECTED
                && (type == EventType.ARRIVED || type == EventType.DEPARTED);
    }

    /** Stored events whose capture-to-receipt delay is measured: those that reached their stop. */
    static boolean isReceived(Verdict verdict) {
        return verdict == Verdict.APPLIED || verdict == Verdict.AWAITING_EVIDENCE || verdict == Verdict.REASSIGNED;
    }

    private void report(PushContext ctx, List<PushItem> items, List<EventResult> results) {
        for (int i = 0; i < results.size(); i++) {
            CapturedEvent e = items.get(i).event();
            Verdict verdict = results.get(i).verdict();
            listener.verdict(verdict, e == null ? "invalid" : e.type().wire());
            if (e != null && isReceived(verdict)) {
                listener.received(ctx.receivedAt() - (e.capturedAt().toEpochMilli() + ctx.appliedOffset()));
            }
        }
    }
}
