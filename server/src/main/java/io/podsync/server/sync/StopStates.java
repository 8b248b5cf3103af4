package io.podsync.server.sync;

import io.podsync.protocol.EventType;
import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.exceptions.ExceptionQueue;
import io.podsync.server.observe.Telemetry;
import io.podsync.storage.EventRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
import io.podsync.storage.Tx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the derived stop states, the change feed and the exception queue in step with the counted events, inside the
 * transaction that counted them: a push, or an upload that released events waiting for their evidence.
 */
public final class StopStates {
    /** An event newly counted at a stop: what it takes to know whether it can change the state. */
    public record Added(EventType type, int attempt) {}

    /** What one transaction collects and hands over at the end, so every write happens in one batch. */
    public static final class Batch {
        final Map<String, List<Added>> added = new LinkedHashMap<>();
        final List<ExceptionQueue.Finding> findings = new ArrayList<>();
        /** The rows counted in this batch, per stop. */
        final Map<String, List<EventRow>> rows = new HashMap<>();

        final List<MilestoneListener.Seen> seen = new ArrayList<>();

        /** An event counted: a new one, or one that an upload released. */
        public void counted(EventRow row, Added event) {
            added.computeIfAbsent(row.stopId(), k -> new ArrayList<>()).add(event);
            rows.computeIfAbsent(row.stopId(), k -> new ArrayList<>()).add(row);
        }

        /** A finding for operations. */
        public void exception(ExceptionQueue.Finding f) {
            findings.add(f);
        }

        /** An arrival or departure stored as applied or awaiting its evidence: a moment of the trip. */
        public void seen(MilestoneListener.Seen event) {
            seen.add(event);
        }
    }

    private final ExceptionQueue exceptions;
    private volatile OutcomeListener outcomes = OutcomeListener.NONE;
    private volatile MilestoneListener milestones = MilestoneListener.NONE;

    public StopStates(ExceptionQueue exceptions) {
        this.exceptions = exceptions;
    }

    /** Set once at start-up: the ERP forwarding. */
    public void onOutcome(OutcomeListener outcomes) {
        this.outcomes = outcomes;
    }

    /** Set once at start-up: the milestone stream. */
    public void onMilestone(MilestoneListener milestones) {
        this.milestones = milestones;
    }

    public ExceptionQueue exceptions() {
        return exceptions;
    }

    /**
     * Refolds what changed (a stored state is also published: it is its driver's {@code stop_state} change), opens the
     * exceptions (so the outcome listener sees them), tells the outcome listener about every changed state, and hands
     * the trip's moments to the milestone stream (and their odometer readings to the route's trip).
     */
    public void finish(Tx tx, Batch batch, Map<String, StopRow> stops, long now) {
        Map<String, StopStateView> changed = Telemetry.span("podsync.fold", () -> refold(tx, batch, stops, now));
        exceptions.open(tx, batch.findings);
        for (Map.Entry<String, StopStateView> e : changed.entrySet()) {
            outcomes.stateChanged(tx, stops.get(e.getKey()), e.getValue(), now);
        }
        if (!batch.seen.isEmpty()) {
            recordOdometers(tx, batch.seen, now);
            milestones.eventsSeen(tx, batch.seen, now);
        }
    }

    /** The span of odometer readings per route: a write only for pushes that carry readings. */
    private static void recordOdometers(Tx tx, List<MilestoneListener.Seen> seen, long now) {
        Map<String, double[]> byRoute = new HashMap<>();
        for (MilestoneListener.Seen s : seen) {
            if (s.odometerKm() != null && s.event().routeId() != null) {
                double km = s.odometerKm().doubleValue();
                byRoute.merge(s.event().routeId(), new double[] {km, km}, (a, b) ->
                        new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
        }
        byRoute.forEach((route, span) -> tx.routes().recordOdometer(route, span[0], span[1], now));
    }

    private Map<String, StopStateView> refold(Tx tx, Batch batch, Map<String, StopRow> stops, long now) {
        Map<String, StopStateView> changed = new LinkedHashMap<>();
        if (batch.added.isEmpty()) {
            return changed;
        }
        Map<String, StopStateRow> before = tx.routes().findStates(batch.added.keySet());
        Set<String> touched = new LinkedHashSet<>();
        for (Map.Entry<String, List<Added>> e : batch.added.entrySet()) {
            if (canChangeState(e.getValue(), before.get(e.getKey()))) {
                touched.add(e.getKey());
            }
        }
        if (touched.isEmpty()) {
            return changed;
        }
        // The stored state keeps the events it was folded from (StopFold.inputs), so the stop's events are never read
        // back: the event log has no index by stop.
        List<StopStateRow> updated = new ArrayList<>();
        for (String stopId : touched) {
            StopRow stop = stops.get(stopId);
            StopStateRow old = before.get(stopId);
            List<EventRow> all = new ArrayList<>(old == null ? List.of() : old.foldInputs());
            all.addAll(batch.rows.getOrDefault(stopId, List.of()));
            List<EventRow> inputs = StopFold.inputs(all);
            StopFold.Result folded = StopFold.fold(stopId, inputs);
            String json = ProtocolJson.toString(folded.state());
            boolean stateChanged = old == null || !old.stateJson().equals(json);
            if (stateChanged || !StopFold.sameEvents(old.foldInputs(), inputs)) {
                // Stored, it is also the driver's stop_state change: the feed reads it from stop_states.
                updated.add(new StopStateRow(
                        stopId,
                        Audiences.driver(stop.driverId()),
                        folded.state().status(),
                        json,
                        now,
                        inputs));
            }
            if (stateChanged) {
                changed.put(stopId, folded.state());
            }
            Set<String> keep = new HashSet<>();
            for (StopFold.Anomaly a : folded.anomalies()) {
                keep.add(a.key(stopId));
                batch.findings.add(ExceptionQueue.Finding.contradiction(stop, a.attempt(), a.code(), now));
            }
            // Only an earlier fold with anomalies can have left open contradictions behind: a first fold has none,
            // and a fold without anomalies dropped them all.
            if (old != null && hadAnomalies(old.stateJson())) {
                exceptions.dropStale(tx, stopId, ExceptionKind.CONTRADICTION, keep, now);
            }
        }
        tx.routes().upsertStates(updated);
        return changed;
    }

    /**
     * Notes, scans and departures feed no rule of {@link StopFold}: within an attempt the fold already has, adding one
     * changes neither the attempts, nor their arrival or outcome, nor the anomalies, nor the fold's inputs. Such an
     * event skips the refold, which on a busy route is most of them. (One that opens an attempt can change the state,
     * and always changes the inputs.)
     */
    static boolean canChangeState(List<Added> added, StopStateRow before) {
        if (before == null) {
            return true;
        }
        Set<Integer> known = StopFold.attempts(before.foldInputs());
        for (Added e : added) {
            boolean passive =
                    e.type() == EventType.NOTE || e.type() == EventType.ITEM_SCANNED || e.type() == EventType.DEPARTED;
            if (!passive || !known.contains(e.attempt())) {
                return true;
            }
        }
        return false;
    }

    private static final String NO_ANOMALIES = "\"anomalies\":[]";

    /**
     * Whether a stored state lists anomalies, read without binding the whole document: this runs for every stop a push
     * changes, on the single writer. The text is always ours ({@link ProtocolJson} of a {@link StopStateView}).
     */
    static boolean hadAnomalies(String stateJson) {
        if (stateJson.contains(NO_ANOMALIES)) {
            return false;
        }
        List<String> anomalies =
                ProtocolJson.read(stateJson, StopStateView.class).anomalies();
        return anomalies != null && !anomalies.isEmpty();
    }
}
