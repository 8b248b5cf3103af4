package io.podsync.server.sync;

import io.podsync.protocol.EventType;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.observe.Telemetry;
import io.podsync.storage.EventRow;
import io.podsync.storage.ExceptionRow;
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
    public static final String EXCEPTION_FLAGGED = "flagged_event";
    public static final String EXCEPTION_REASSIGNED = "reassigned_event";
    public static final String EXCEPTION_CONTRADICTION = "contradiction";
    public static final String EXCEPTION_EVIDENCE_MISSING = "evidence_missing";

    /** An event newly counted at a stop: what it takes to know whether it can change the state. */
    public record Added(EventType type, int attempt) {}

    /** What one transaction collects and hands over at the end, so every write happens in one batch. */
    public static final class Batch {
        final Map<String, List<Added>> added = new LinkedHashMap<>();
        final List<ExceptionRow> exceptions = new ArrayList<>();
        /** The rows counted in this batch, per stop. */
        final Map<String, List<EventRow>> rows = new HashMap<>();

        /** An event counted: a new one, or one that an upload released. */
        public void counted(EventRow row, Added event) {
            added.computeIfAbsent(row.stopId(), k -> new ArrayList<>()).add(event);
            rows.computeIfAbsent(row.stopId(), k -> new ArrayList<>()).add(row);
        }

        public void exception(ExceptionRow e) {
            exceptions.add(e);
        }
    }

    private final SyncListener listener;
    private volatile OutcomeListener outcomes = OutcomeListener.NONE;

    public StopStates(SyncListener listener) {
        this.listener = listener;
    }

    /** Set once at start-up: the ERP forwarding. */
    public void onOutcome(OutcomeListener outcomes) {
        this.outcomes = outcomes;
    }

    /**
     * Refolds what changed (a stored state is also published: it is its driver's {@code stop_state} change), opens the
     * exceptions (so the outcome listener sees them) and tells the outcome listener about every changed state.
     */
    public void finish(Tx tx, Batch batch, Map<String, StopRow> stops, long now) {
        Map<String, StopStateView> changed = Telemetry.span("podsync.fold", () -> refold(tx, batch, stops, now));
        openExceptions(tx, batch.exceptions);
        for (Map.Entry<String, StopStateView> e : changed.entrySet()) {
            outcomes.stateChanged(tx, stops.get(e.getKey()), e.getValue(), now);
        }
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
                batch.exceptions.add(exception(
                        a.key(stopId),
                        EXCEPTION_CONTRADICTION,
                        List.of(a.code()),
                        stop,
                        stop.driverId(),
                        null,
                        null,
                        now));
            }
            // Only an earlier fold with anomalies can have left open contradictions behind: a first fold has none,
            // and a fold without anomalies dropped them all.
            if (old != null && hadAnomalies(old.stateJson())) {
                tx.exceptions().dropStale(stopId, EXCEPTION_CONTRADICTION, keep);
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

    /** Opens exceptions in one go; an exception with the same dedupe key as an existing one is not opened again. */
    public void openExceptions(Tx tx, List<ExceptionRow> exceptions) {
        if (exceptions.isEmpty()) {
            return;
        }
        long id = tx.reserveIds("exception", exceptions.size());
        for (ExceptionRow e : exceptions) {
            ExceptionRow numbered = new ExceptionRow(
                    id++,
                    e.dedupeKey(),
                    e.kind(),
                    e.status(),
                    e.codes(),
                    e.routeId(),
                    e.stopId(),
                    e.driverId(),
                    e.deviceId(),
                    e.idempotencyKey(),
                    e.createdAt(),
                    e.updatedAt(),
                    null,
                    null,
                    null,
                    null);
            if (tx.exceptions().openIfAbsent(numbered)) {
                listener.exceptionOpened(e.kind());
            }
        }
    }

    /** An open exception about a stop (and an event, when {@code key} is set), deduplicated by {@code dedupeKey}. */
    public static ExceptionRow exception(
            String dedupeKey,
            String kind,
            List<String> codes,
            StopRow stop,
            String driverId,
            String deviceId,
            String key,
            long now) {
        return exception(dedupeKey, kind, codes, stop.routeId(), stop.stopId(), driverId, deviceId, key, now);
    }

    public static ExceptionRow exception(
            String dedupeKey,
            String kind,
            List<String> codes,
            String routeId,
            String stopId,
            String driverId,
            String deviceId,
            String key,
            long now) {
        return new ExceptionRow(
                0,
                dedupeKey,
                kind,
                "open",
                String.join(",", codes),
                routeId,
                stopId,
                driverId,
                deviceId,
                key,
                now,
                now,
                null,
                null,
                null,
                null);
    }
}
