package io.podsync.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.Change;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.Limits;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.RejectReasons;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.Violation;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.ChangeRow;
import io.podsync.storage.Database;
import io.podsync.storage.EventRow;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopStateRow;
import io.podsync.storage.Tx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Applies a push: every event gets its own verdict, all of them in one transaction together with the receipts, the
 * event log, the derived stop states, the change feed and the exceptions. A bad event is a verdict, never a failure
 * of the batch.
 */
public final class PushProcessor {
    public static final String EXCEPTION_FLAGGED = "flagged_event";
    public static final String EXCEPTION_REASSIGNED = "reassigned_event";
    public static final String EXCEPTION_CONTRADICTION = "contradiction";
    private static final Pattern KEY =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0," + (Limits.MAX_ID_LENGTH - 1) + "}");

    /** Tunables of the push path, from {@link io.podsync.server.ServerConfig}. */
    public record Settings(Duration receiptRetention, Duration clockTrustTolerance, Duration futureTolerance) {}

    /** Observes outcomes for metrics. */
    public interface Listener {
        void verdict(Verdict verdict, String type);

        void exceptionOpened(String kind);

        Listener NONE = new Listener() {
            @Override
            public void verdict(Verdict verdict, String type) {}

            @Override
            public void exceptionOpened(String kind) {}
        };
    }

    private final Database db;
    private final Clock clock;
    private final Settings settings;
    private final Listener listener;

    public PushProcessor(Database db, Clock clock, Settings settings, Listener listener) {
        this.db = db;
        this.clock = clock;
        this.settings = settings;
        this.listener = listener;
    }

    /** One event of the request as parsed: either {@code event} or {@code violation} is set. */
    private record Item(
            int index,
            CapturedEvent event,
            Violation violation,
            String key,
            Long seq,
            CanonicalJson.Canonical content) {}

    public PushResponse push(String driverId, String deviceId, Instant sentAt, List<JsonNode> rawEvents) {
        long receivedAt = clock.millis();
        long measuredOffset = receivedAt - sentAt.toEpochMilli();
        long appliedOffset =
                Math.abs(measuredOffset) > settings.clockTrustTolerance().toMillis() ? measuredOffset : 0;
        List<Item> items = new ArrayList<>(rawEvents.size());
        for (int i = 0; i < rawEvents.size(); i++) {
            items.add(parse(i, rawEvents.get(i)));
        }
        List<EventResult> results =
                db.write(tx -> apply(tx, driverId, deviceId, items, receivedAt, measuredOffset, appliedOffset));
        for (int i = 0; i < results.size(); i++) {
            CapturedEvent e = items.get(i).event();
            listener.verdict(
                    results.get(i).verdict(), e == null ? "invalid" : e.type().wire());
        }
        return new PushResponse(Instant.ofEpochMilli(receivedAt), measuredOffset, results);
    }

    private static Item parse(int index, JsonNode raw) {
        String at = "events[" + index + "]";
        JsonNode rawKey = raw.path("idempotencyKey");
        String key = rawKey.isTextual() && KEY.matcher(rawKey.asText()).matches() ? rawKey.asText() : null;
        JsonNode rawSeq = raw.path("seq");
        Long seq =
                rawSeq.isIntegralNumber() && rawSeq.canConvertToLong() && rawSeq.asLong() > 0 ? rawSeq.asLong() : null;
        try {
            CapturedEvent e = JsonBodies.bind(raw, CapturedEvent.class, at);
            List<Violation> v = ProtocolValidator.validateEvent(e, at);
            if (!v.isEmpty()) {
                return new Item(index, null, v.get(0), key, seq, CanonicalJson.canonical(raw));
            }
            return new Item(index, e, null, e.idempotencyKey(), e.seq(), CanonicalJson.canonical(e.normalized()));
        } catch (ProblemException p) {
            return new Item(
                    index,
                    null,
                    new Violation(p.code(), p.field(), p.getMessage()),
                    key,
                    seq,
                    CanonicalJson.canonical(raw));
        }
    }

    private List<EventResult> apply(
            Tx tx,
            String driverId,
            String deviceId,
            List<Item> items,
            long receivedAt,
            long measuredOffset,
            long appliedOffset) {
        Set<String> keys = items.stream().map(Item::key).filter(k -> k != null).collect(Collectors.toSet());
        Set<Long> seqs = items.stream().map(Item::seq).filter(s -> s != null).collect(Collectors.toSet());
        Map<String, EventRow> stored = tx.events().findByKeys(deviceId, keys);
        Map<Long, String> seqOwner = new HashMap<>(tx.events().seqsTaken(deviceId, seqs));
        Set<String> stopIds = items.stream()
                .filter(i -> i.event() != null)
                .map(i -> i.event().stopId())
                .collect(Collectors.toSet());
        Map<String, StopRow> stops = tx.routes().lockStops(stopIds);
        Set<String> foreign = stops.values().stream()
                .filter(s -> !s.driverId().equals(driverId))
                .map(StopRow::stopId)
                .collect(Collectors.toSet());
        Set<String> heldBefore = foreign.isEmpty() ? Set.of() : tx.routes().stopsEverHeld(driverId, foreign);
        Set<String> ownStops = new HashSet<>(stops.keySet());
        ownStops.removeAll(foreign);
        Map<String, Map<String, OrderLineRow>> linesByStop = new HashMap<>();
        for (OrderLineRow l : tx.routes().linesOfStops(ownStops)) {
            linesByStop
                    .computeIfAbsent(l.stopId(), k -> new HashMap<>())
                    .put(EventChecks.lineKey(l.orderId(), l.lineId()), l);
        }
        Map<String, ProofPolicy> policies = new HashMap<>();

        Map<String, EventRow> decided = new HashMap<>();
        List<EventResult> results = new ArrayList<>(items.size());
        List<EventRow> rows = new ArrayList<>();
        List<ChangeRow> changes = new ArrayList<>();
        List<ExceptionRow> exceptions = new ArrayList<>();
        Map<String, List<CapturedEvent>> touched = new LinkedHashMap<>();
        long maxSeq = 0;
        long rejectedExpiry = receivedAt + settings.receiptRetention().toMillis();

        for (Item item : items) {
            String key = item.key();
            EventRow earlier = key == null ? null : stored.getOrDefault(key, decided.get(key));
            if (earlier != null) {
                boolean same = earlier.fingerprint().equals(item.content().fingerprint());
                results.add(new EventResult(
                        item.index(),
                        key,
                        item.seq(),
                        earlier.stopId(),
                        same ? Verdict.DUPLICATE : Verdict.CONFLICT,
                        same ? null : RejectReasons.IDEMPOTENCY_KEY_REUSED,
                        null,
                        null,
                        null,
                        Receipts.of(earlier)));
                continue;
            }
            if (item.seq() != null && seqOwner.containsKey(item.seq())) {
                EventRow noted = rejectedRow(
                        item,
                        driverId,
                        deviceId,
                        RejectReasons.SEQUENCE_REUSED,
                        "events[" + item.index() + "].seq",
                        receivedAt,
                        rejectedExpiry);
                results.add(withIndex(Receipts.of(noted), item.index()));
                continue; // not stored: the sequence number belongs to another event
            }
            EventRow row;
            if (item.violation() != null) {
                row = rejectedRow(
                        item,
                        driverId,
                        deviceId,
                        item.violation().code(),
                        item.violation().field(),
                        receivedAt,
                        rejectedExpiry);
            } else {
                CapturedEvent e = item.event();
                StopRow stop = stops.get(e.stopId());
                if (stop == null || (foreign.contains(e.stopId()) && !heldBefore.contains(e.stopId()))) {
                    row = rejectedRow(
                            item,
                            driverId,
                            deviceId,
                            RejectReasons.STOP_NOT_ASSIGNED,
                            "events[" + item.index() + "].stopId",
                            receivedAt,
                            rejectedExpiry);
                } else {
                    row = counted(
                            item,
                            stop,
                            foreign.contains(e.stopId()),
                            driverId,
                            deviceId,
                            receivedAt,
                            appliedOffset,
                            linesByStop,
                            policies,
                            exceptions);
                    if (Verdict.APPLIED.name().equals(row.verdict())) {
                        touched.computeIfAbsent(stop.stopId(), k -> new ArrayList<>())
                                .add(e);
                    }
                }
            }
            results.add(withIndex(Receipts.of(row), item.index()));
            if (key != null && item.seq() != null) {
                rows.add(row);
                decided.put(key, row);
                seqOwner.put(item.seq(), key);
                maxSeq = Math.max(maxSeq, item.seq());
            }
        }
        tx.events().insertAll(rows);
        refold(tx, touched, stops, receivedAt, changes, exceptions);
        openExceptions(tx, exceptions);
        tx.changes().publish(changes);
        tx.devices().recordSync(deviceId, receivedAt, measuredOffset, maxSeq);
        return results;
    }

    /** An event for a stop the driver holds (applied, with flags) or held before a reassignment (fenced). */
    private EventRow counted(
            Item item,
            StopRow stop,
            boolean fenced,
            String driverId,
            String deviceId,
            long receivedAt,
            long appliedOffset,
            Map<String, Map<String, OrderLineRow>> linesByStop,
            Map<String, ProofPolicy> policies,
            List<ExceptionRow> exceptions) {
        CapturedEvent e = item.event();
        String key = e.idempotencyKey();
        long corrected = e.capturedAt().toEpochMilli() + appliedOffset;
        long effective = corrected;
        List<String> flags = new ArrayList<>();
        Verdict verdict;
        String reason = null;
        if (fenced) {
            verdict = Verdict.REASSIGNED;
            reason = RejectReasons.STOP_REASSIGNED;
            exceptions.add(exception(
                    "event:" + deviceId + ":" + key,
                    EXCEPTION_REASSIGNED,
                    List.of(RejectReasons.STOP_REASSIGNED),
                    stop,
                    driverId,
                    deviceId,
                    key,
                    receivedAt));
        } else {
            verdict = Verdict.APPLIED;
            ProofPolicy policy = policies.computeIfAbsent(
                    stop.stopId(), id -> ProtocolJson.read(stop.policyJson(), ProofPolicy.class));
            flags.addAll(EventChecks.flags(e, stop, policy, linesByStop.getOrDefault(stop.stopId(), Map.of())));
            long tolerance = settings.futureTolerance().toMillis();
            if (corrected > receivedAt + tolerance) {
                flags.add(EventFlags.CAPTURE_TIME_IN_FUTURE);
                effective = receivedAt;
            } else if (corrected < stop.releasedAt() - tolerance) {
                flags.add(EventFlags.CAPTURE_TIME_BEFORE_RELEASE);
                effective = stop.releasedAt();
            }
            if (e.type().isOutcome() && !flags.isEmpty()) {
                exceptions.add(exception(
                        "event:" + deviceId + ":" + key,
                        EXCEPTION_FLAGGED,
                        flags,
                        stop,
                        driverId,
                        deviceId,
                        key,
                        receivedAt));
            }
        }
        return new EventRow(
                deviceId,
                e.seq(),
                key,
                driverId,
                e.stopId(),
                stop.routeId(),
                e.type().name(),
                e.attemptOrDefault(),
                e.capturedAt().toEpochMilli(),
                effective,
                receivedAt,
                appliedOffset,
                verdict.name(),
                reason,
                null,
                String.join(",", flags),
                item.content().fingerprint(),
                0,
                null,
                item.content().text());
    }

    private static EventRow rejectedRow(
            Item item, String driverId, String deviceId, String reason, String field, long receivedAt, long expiresAt) {
        CapturedEvent e = item.event();
        return new EventRow(
                deviceId,
                item.seq() == null ? 0 : item.seq(),
                item.key(),
                driverId,
                e == null ? null : e.stopId(),
                null,
                e == null ? null : e.type().name(),
                e == null ? 1 : e.attemptOrDefault(),
                e == null ? null : e.capturedAt().toEpochMilli(),
                null,
                receivedAt,
                0,
                Verdict.REJECTED.name(),
                reason,
                field,
                "",
                item.content().fingerprint(),
                0,
                expiresAt,
                item.content().text());
    }

    /** Recomputes the state of every stop this push added counted events to, unless they cannot change it. */
    private void refold(
            Tx tx,
            Map<String, List<CapturedEvent>> added,
            Map<String, StopRow> stops,
            long now,
            List<ChangeRow> changes,
            List<ExceptionRow> exceptions) {
        if (added.isEmpty()) {
            return;
        }
        Map<String, StopStateRow> before = tx.routes().findStates(added.keySet());
        Set<String> touched = new LinkedHashSet<>();
        for (Map.Entry<String, List<CapturedEvent>> e : added.entrySet()) {
            if (canChangeState(e.getValue(), before.get(e.getKey()))) {
                touched.add(e.getKey());
            }
        }
        if (touched.isEmpty()) {
            return;
        }
        Map<String, List<EventRow>> byStop = tx.events().ofStops(touched, Verdict.APPLIED.name()).stream()
                .collect(Collectors.groupingBy(EventRow::stopId));
        for (String stopId : touched) {
            StopRow stop = stops.get(stopId);
            StopFold.Result folded = StopFold.fold(stopId, byStop.getOrDefault(stopId, List.of()));
            String json = ProtocolJson.toString(folded.state());
            StopStateRow old = before.get(stopId);
            if (old == null || !old.stateJson().equals(json)) {
                tx.routes().upsertState(new StopStateRow(stopId, folded.state().status(), json, now));
                changes.add(
                        ChangeRow.of(Audiences.driver(stop.driverId()), Change.STOP_STATE, stopId, false, json, now));
            }
            Set<String> keep = new HashSet<>();
            for (StopFold.Anomaly a : folded.anomalies()) {
                keep.add(a.key(stopId));
                exceptions.add(exception(
                        a.key(stopId),
                        EXCEPTION_CONTRADICTION,
                        List.of(a.code()),
                        stop,
                        stop.driverId(),
                        null,
                        null,
                        now));
            }
            tx.exceptions().dropStale(stopId, EXCEPTION_CONTRADICTION, keep);
        }
    }

    /**
     * Notes, scans and departures feed no rule of {@link StopFold}: within an attempt the fold already has, adding one
     * changes neither the attempts, nor their arrival or outcome, nor the anomalies. Such a push skips the refold,
     * which on a busy route is most of them. (An event in a later attempt than the state knows can change it.)
     */
    private static boolean canChangeState(List<CapturedEvent> added, StopStateRow before) {
        if (before == null) {
            return true;
        }
        int knownAttempt =
                ProtocolJson.read(before.stateJson(), StopStateView.class).attempt();
        for (CapturedEvent e : added) {
            boolean passive =
                    e.type() == EventType.NOTE || e.type() == EventType.ITEM_SCANNED || e.type() == EventType.DEPARTED;
            if (!passive || e.attemptOrDefault() > knownAttempt) {
                return true;
            }
        }
        return false;
    }

    private void openExceptions(Tx tx, List<ExceptionRow> exceptions) {
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

    private static ExceptionRow exception(
            String dedupeKey,
            String kind,
            List<String> codes,
            StopRow stop,
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
                stop.routeId(),
                stop.stopId(),
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

    private static EventResult withIndex(EventResult r, int index) {
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
                r.original());
    }
}
