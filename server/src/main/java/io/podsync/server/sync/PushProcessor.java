package io.podsync.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.Limits;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.RejectReasons;
import io.podsync.protocol.StopView;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.Violation;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.protocol.validation.Identifiers;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.server.observe.Telemetry;
import io.podsync.storage.Database;
import io.podsync.storage.EventRow;
import io.podsync.storage.EvidenceLinkRow;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopVersionRow;
import io.podsync.storage.Tx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies a push: every event gets its own verdict, all of them in one transaction together with the event log, the
 * evidence links, the derived stop states, the change feed and the exceptions. A bad event is a verdict, never a
 * failure of the batch. An event that references evidence the server does not have yet is stored as
 * {@code awaiting_evidence} and counted once the last of it arrives.
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

    /** One event of the request as parsed: either {@code event} or {@code violation} is set. */
    private record Item(
            int index,
            CapturedEvent event,
            Violation violation,
            String key,
            Long seq,
            CanonicalJson.Canonical content) {}

    /** What the transaction needs to know about the request and its sender. */
    private record Context(
            String driverId,
            String deviceId,
            long receivedAt,
            long measuredOffset,
            long appliedOffset,
            long expiry,
            String correlationId) {}

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
        long receivedAt = clock.millis();
        long measured = receivedAt - sentAt.toEpochMilli();
        long applied = Math.abs(measured) > settings.clockTrustTolerance().toMillis() ? measured : 0;
        Context ctx = new Context(
                driverId,
                deviceId,
                receivedAt,
                measured,
                applied,
                receivedAt + settings.receiptRetention().toMillis(),
                correlationId);
        List<Item> items = new ArrayList<>(rawEvents.size());
        for (int i = 0; i < rawEvents.size(); i++) {
            items.add(parse(i, rawEvents.get(i)));
        }
        List<EventResult> results = db.write(tx -> apply(tx, ctx, items));
        for (int i = 0; i < results.size(); i++) {
            CapturedEvent e = items.get(i).event();
            Verdict verdict = results.get(i).verdict();
            listener.verdict(verdict, e == null ? "invalid" : e.type().wire());
            if (e != null
                    && (verdict == Verdict.APPLIED
                            || verdict == Verdict.AWAITING_EVIDENCE
                            || verdict == Verdict.REASSIGNED)) {
                listener.received(receivedAt - (e.capturedAt().toEpochMilli() + applied));
            }
        }
        return new PushResponse(Instant.ofEpochMilli(receivedAt), measured, results);
    }

    private static Item parse(int index, JsonNode raw) {
        String at = "events[" + index + "]";
        JsonNode rawKey = raw.path("idempotencyKey");
        String key =
                rawKey.isTextual() && Identifiers.isId(rawKey.asText(), Limits.MAX_ID_LENGTH) ? rawKey.asText() : null;
        JsonNode rawSeq = raw.path("seq");
        Long seq =
                rawSeq.isIntegralNumber() && rawSeq.canConvertToLong() && rawSeq.asLong() > 0 ? rawSeq.asLong() : null;
        try {
            CapturedEvent e = JsonBodies.bind(raw, CapturedEvent.class, at);
            List<Violation> v = ProtocolValidator.validateEvent(e, at);
            if (v.isEmpty()) {
                v = ProtocolValidator.validateEventJson(raw, at);
            }
            if (!v.isEmpty()) {
                return new Item(index, null, v.get(0), key, seq, CanonicalJson.canonical(raw));
            }
            return new Item(index, e, null, e.idempotencyKey(), e.seq(), CanonicalJson.canonical(e.normalized()));
        } catch (ProblemException p) {
            Violation v = new Violation(p.code(), p.field(), p.getMessage());
            return new Item(index, null, v, key, seq, CanonicalJson.canonical(raw));
        }
    }

    /**
     * Everything the batch reads before deciding, in a handful of queries. Not whether its events are new: storing them
     * finds that out (see {@link io.podsync.storage.EventRepository#insertAll}).
     */
    private static final class Lookups {
        Map<String, StopRow> stops;
        Set<String> foreign;
        Set<String> heldBefore;
        Map<String, Map<String, OrderLineRow>> linesByStop = new HashMap<>();
        Map<String, ProofPolicy> policies = new HashMap<>();
        Set<String> artifactsPresent;
    }

    private Lookups lookups(Tx tx, Context ctx, List<Item> items) {
        Lookups l = new Lookups();
        // One pass, not a stream per set: this runs on the single writer for every push.
        Set<String> stopIds = new HashSet<>();
        Set<String> referenced = new HashSet<>();
        for (Item item : items) {
            if (item.event() != null) {
                stopIds.add(item.event().stopId());
                referenced.addAll(evidenceOf(item.event()));
            }
        }
        // On PostgreSQL the stops' row locks serialize pushes to the same stops, so that each refolds a state from
        // the events the other stored (a concurrent twin of this push waits on the key's index entry anyway).
        l.stops = tx.routes().lockStops(stopIds);
        l.foreign = new HashSet<>();
        for (StopRow stop : l.stops.values()) {
            if (!stop.driverId().equals(ctx.driverId())) {
                l.foreign.add(stop.stopId());
            }
        }
        l.heldBefore = l.foreign.isEmpty() ? Set.of() : tx.routes().stopsEverHeld(ctx.driverId(), l.foreign);
        Set<String> own = new HashSet<>(l.stops.keySet());
        own.removeAll(l.foreign);
        for (OrderLineRow line : tx.routes().linesOfStops(own)) {
            l.linesByStop
                    .computeIfAbsent(line.stopId(), k -> new HashMap<>())
                    .put(EventChecks.lineKey(line.orderId(), line.lineId()), line);
        }
        l.artifactsPresent = referenced.isEmpty() ? Set.of() : tx.evidence().storedOf(referenced);
        return l;
    }

    /** What becomes of one event if it is new: its row, the evidence it still lacks, findings for operations. */
    private record Decision(EventRow row, List<String> missing, List<Exceptions.Finding> findings) {}

    /**
     * Every event is decided as if it were new and all of them are stored in one batch, which skips those whose key or
     * sequence number is taken; only those are then looked up. A later event with a key used earlier in the push is
     * answered from the first.
     */
    private List<EventResult> apply(Tx tx, Context ctx, List<Item> items) {
        Lookups l = lookups(tx, ctx, items);
        Decision[] decisions = new Decision[items.size()];
        int[] rowOf = new int[items.size()];
        List<EventRow> rows = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (Item item : items) {
            rowOf[item.index()] = -1;
            if (storable(item) && !keys.add(item.key())) {
                continue; // a twin of an earlier event of this push
            }
            decisions[item.index()] = decide(tx, item, l, ctx);
            if (storable(item)) {
                rowOf[item.index()] = rows.size();
                rows.add(decisions[item.index()].row());
            }
        }
        boolean[] stored = tx.events().insertAll(rows);

        StopStates.Batch batch = new StopStates.Batch();
        Map<String, EventRow> byKey = new HashMap<>();
        Map<String, List<String>> missingByKey = new HashMap<>();
        List<EventResult> results = new ArrayList<>(items.size());
        List<EvidenceLinkRow> links = new ArrayList<>();
        long maxSeq = 0;
        for (Item item : items) {
            String key = item.key();
            Decision d = decisions[item.index()];
            boolean isNew;
            if (d == null) {
                EventRow earlier = byKey.get(key);
                if (earlier != null) {
                    results.add(replay(item, earlier, missingByKey.get(key)));
                    continue;
                }
                // The first event with this key was refused its sequence number: this one stands on its own.
                d = decide(tx, item, l, ctx);
                isNew = tx.events().insertAll(List.of(d.row()))[0];
            } else {
                isNew = rowOf[item.index()] >= 0 && stored[rowOf[item.index()]];
            }
            if (storable(item)) {
                if (!isNew) {
                    results.add(notNew(tx, ctx, item, byKey, missingByKey));
                    continue;
                }
                byKey.put(key, d.row());
                missingByKey.put(key, d.missing());
                maxSeq = Math.max(maxSeq, item.seq());
            }
            results.add(Receipts.withIndex(Receipts.of(d.row(), d.missing()), item.index()));
            CapturedEvent e = item.event();
            if (Verdict.REJECTED.name().equals(d.row().verdict())) {
                continue;
            }
            for (String sha : evidenceOf(e)) {
                links.add(new EvidenceLinkRow(ctx.deviceId(), key, sha, ctx.driverId()));
            }
            if (Verdict.APPLIED.name().equals(d.row().verdict())) {
                batch.counted(d.row(), new StopStates.Added(e.type(), e.attemptOrDefault()));
            }
            if (!Verdict.REASSIGNED.name().equals(d.row().verdict())
                    && (e.type() == EventType.ARRIVED || e.type() == EventType.DEPARTED)) {
                EventPayload p = e.payloadOrEmpty();
                batch.seen(new MilestoneListener.Seen(d.row(), p.location(), p.odometerKm()));
            }
            d.findings().forEach(batch::exception);
        }
        tx.evidence().link(links);
        states.finish(tx, batch, l.stops, ctx.receivedAt());
        tx.devices().recordSync(ctx.deviceId(), ctx.receivedAt(), ctx.measuredOffset(), maxSeq);
        for (int i = results.size() - 1; i >= 0; i--) { // operations see the device's last refusal in its listing
            EventResult r = results.get(i);
            if (r.verdict() == Verdict.REJECTED || r.verdict() == Verdict.CONFLICT) {
                String why = r.verdict() == Verdict.CONFLICT ? "conflict" : "rejected " + r.reason();
                tx.devices().recordError(ctx.deviceId(), why, ctx.receivedAt());
                break;
            }
        }
        return results;
    }

    /** Only an event with a usable key and sequence number is stored (and so deduplicated). */
    private static boolean storable(Item item) {
        return item.key() != null && item.seq() != null;
    }

    /**
     * An event of this push that was not stored because its key or sequence number is taken. A stored original is
     * remembered for later events of the push with the same key.
     */
    private EventResult notNew(
            Tx tx, Context ctx, Item item, Map<String, EventRow> byKey, Map<String, List<String>> missingByKey) {
        EventRow stored =
                tx.events().findByKeys(ctx.deviceId(), List.of(item.key())).get(item.key());
        if (stored == null) { // the sequence number belongs to another event
            EventRow noted = rejected(item, ctx, RejectReasons.SEQUENCE_REUSED, "events[" + item.index() + "].seq");
            return Receipts.withIndex(Receipts.of(noted, null), item.index());
        }
        List<String> missing = Verdict.AWAITING_EVIDENCE.name().equals(stored.verdict())
                ? tx.evidence().missingFor(ctx.deviceId(), List.of(item.key())).get(item.key())
                : null;
        byKey.put(item.key(), stored);
        missingByKey.put(item.key(), missing);
        return replay(item, stored, missing);
    }

    /**
     * The answer to a key already used: the original receipt, as a duplicate or, with other content, a conflict. An
     * event stored under protocol 1.0 names a line's refused quantity {@code rejected} in its fingerprint; the same
     * content resent under the 1.1 name is the same event.
     */
    private static EventResult replay(Item item, EventRow earlier, List<String> missing) {
        boolean same = earlier.fingerprint().equals(item.content().fingerprint())
                || earlier.fingerprint().equals(CanonicalJson.fingerprintV10(item.content()));
        return new EventResult(
                item.index(),
                item.key(),
                item.seq(),
                earlier.stopId(),
                same ? Verdict.DUPLICATE : Verdict.CONFLICT,
                same ? null : RejectReasons.IDEMPOTENCY_KEY_REUSED,
                null,
                null,
                null,
                null,
                Receipts.of(earlier, missing),
                null);
    }

    private Decision decide(Tx tx, Item item, Lookups l, Context ctx) {
        if (item.violation() != null) {
            return new Decision(
                    rejected(
                            item, ctx, item.violation().code(), item.violation().field()),
                    List.of(),
                    List.of());
        }
        CapturedEvent e = item.event();
        StopRow stop = l.stops.get(e.stopId());
        if (stop == null || (l.foreign.contains(e.stopId()) && !l.heldBefore.contains(e.stopId()))) {
            return new Decision(
                    rejected(item, ctx, RejectReasons.STOP_NOT_ASSIGNED, "events[" + item.index() + "].stopId"),
                    List.of(),
                    List.of());
        }
        if (e.stopVersion() != null && e.stopVersion() > stop.version()) {
            // Versions only grow: no device can have seen a later one than the stop has.
            return new Decision(
                    rejected(item, ctx, ViolationCodes.OUT_OF_RANGE, "events[" + item.index() + "].stopVersion"),
                    List.of(),
                    List.of());
        }
        List<String> missing = evidenceOf(e).stream()
                .filter(h -> !l.artifactsPresent.contains(h))
                .sorted()
                .toList();
        return counted(tx, item, stop, l, ctx, missing);
    }

    /**
     * An event for a stop the driver holds (applied with its flags, or awaiting evidence) or held before a reassignment
     * (fenced: stored, not counted, shown to a person).
     */
    private Decision counted(Tx tx, Item item, StopRow stop, Lookups l, Context ctx, List<String> missing) {
        CapturedEvent e = item.event();
        String key = e.idempotencyKey();
        long corrected = e.capturedAt().toEpochMilli() + ctx.appliedOffset();
        long effective = corrected;
        List<String> flags = new ArrayList<>();
        Verdict verdict;
        String reason = null;
        Long stopVersion = e.stopVersion();
        List<Exceptions.Finding> findings = new ArrayList<>(1);
        if (l.foreign.contains(e.stopId())) {
            verdict = Verdict.REASSIGNED;
            reason = RejectReasons.STOP_REASSIGNED;
            findings.add(
                    finding("event:", ExceptionKind.REASSIGNED_EVENT, List.of(reason), stop, ctx, key, stopVersion));
        } else {
            verdict = missing.isEmpty() ? Verdict.APPLIED : Verdict.AWAITING_EVIDENCE;
            ProofPolicy policy = l.policies.computeIfAbsent(stop.stopId(), id -> policy(stop.policyJson()));
            flags.addAll(EventChecks.flags(e, stop, policy, l.linesByStop.getOrDefault(stop.stopId(), Map.of())));
            long tolerance = settings.futureTolerance().toMillis();
            if (corrected > ctx.receivedAt() + tolerance) {
                flags.add(EventFlags.CAPTURE_TIME_IN_FUTURE);
                effective = ctx.receivedAt();
            } else if (corrected < stop.releasedAt() - tolerance) {
                flags.add(EventFlags.CAPTURE_TIME_BEFORE_RELEASE);
                effective = stop.releasedAt();
            }
            if (e.type().isOutcome()) {
                stopVersion = stopVersion != null ? stopVersion : basisVersion(tx, ctx.deviceId(), stop, effective);
                if (manifestChanged(tx, e, stop, stopVersion)) {
                    flags.add(EventFlags.MANIFEST_CHANGED);
                    findings.add(finding(
                            "manifest:",
                            ExceptionKind.MANIFEST_CHANGED,
                            List.of(EventFlags.MANIFEST_CHANGED),
                            stop,
                            ctx,
                            key,
                            stopVersion));
                }
                List<String> checks = flags.stream()
                        .filter(f -> !f.equals(EventFlags.MANIFEST_CHANGED))
                        .toList();
                if (!checks.isEmpty()) {
                    findings.add(finding("event:", ExceptionKind.FLAGGED_EVENT, checks, stop, ctx, key, stopVersion));
                }
            }
        }
        EventRow row = new EventRow(
                ctx.deviceId(),
                e.seq(),
                key,
                ctx.driverId(),
                e.stopId(),
                stop.routeId(),
                e.type().name(),
                e.attemptOrDefault(),
                e.capturedAt().toEpochMilli(),
                effective,
                ctx.receivedAt(),
                ctx.appliedOffset(),
                verdict.name(),
                reason,
                null,
                String.join(",", flags),
                item.content().fingerprint(),
                0,
                null,
                item.content().text(),
                ctx.correlationId(),
                stopVersion,
                null);
        return new Decision(row, missing, findings);
    }

    /** A finding about one event of this push, keyed {@code <prefix><device>:<key>}. */
    private static Exceptions.Finding finding(
            String prefix,
            ExceptionKind kind,
            List<String> codes,
            StopRow stop,
            Context ctx,
            String key,
            Long stopVersion) {
        return Exceptions.Finding.about(
                prefix + ctx.deviceId() + ":" + key,
                kind,
                codes,
                stop,
                ctx.driverId(),
                ctx.deviceId(),
                key,
                stopVersion,
                ctx.receivedAt());
    }

    /**
     * The stop version a device had when it captured an outcome without saying (a 1.0 app): the highest it had pulled
     * by then, else the highest released by then. Read only when the stop's goods or place changed since its first
     * version; until then every version reads the same, and the current one is recorded.
     */
    private static long basisVersion(Tx tx, String deviceId, StopRow stop, long capturedAt) {
        if (stop.manifestSince() <= 1) {
            return stop.version();
        }
        return tx.routes()
                .versionPulled(deviceId, stop.stopId(), capturedAt)
                .or(() -> tx.routes().versionReleased(stop.stopId(), capturedAt))
                .orElse(stop.version());
    }

    /**
     * Whether the stop's manifest changed after the version the outcome was captured against, in a way that touches
     * what it asserts ({@link Manifests}). Free while the version is at or after the stop's last change of goods or
     * place; otherwise the two versions are read from the stop's history.
     */
    private static boolean manifestChanged(Tx tx, CapturedEvent e, StopRow stop, long seen) {
        if (seen >= stop.manifestSince()) {
            return false;
        }
        Map<Long, StopVersionRow> versions = tx.routes().stopVersions(stop.stopId(), List.of(seen, stop.version()));
        StopVersionRow then = versions.get(seen);
        StopVersionRow now = versions.get(stop.version());
        if (then == null || now == null) {
            return false; // before the stop's history began, where its content counts as unchanged
        }
        return Manifests.touches(
                e.type(),
                e.payloadOrEmpty().reasonCode(),
                ProtocolJson.read(then.viewJson(), StopView.class),
                ProtocolJson.read(now.viewJson(), StopView.class));
    }

    /**
     * Proof policies are few and repeat across thousands of stops; parsing one per stop per push was a tenth of the
     * single writer's time. Bounded: a fleet with more distinct policies than this just parses again.
     */
    private static final Map<String, ProofPolicy> POLICIES = new ConcurrentHashMap<>();

    private static ProofPolicy policy(String json) {
        ProofPolicy p = POLICIES.get(json);
        if (p == null) {
            p = ProtocolJson.read(json, ProofPolicy.class);
            if (POLICIES.size() < 1_000) {
                POLICIES.put(json, p);
            }
        }
        return p;
    }

    private static EventRow rejected(Item item, Context ctx, String reason, String field) {
        CapturedEvent e = item.event();
        return new EventRow(
                ctx.deviceId(),
                item.seq() == null ? 0 : item.seq(),
                item.key(),
                ctx.driverId(),
                e == null ? null : e.stopId(),
                null,
                e == null ? null : e.type().name(),
                e == null ? 1 : e.attemptOrDefault(),
                e == null ? null : e.capturedAt().toEpochMilli(),
                null,
                ctx.receivedAt(),
                0,
                Verdict.REJECTED.name(),
                reason,
                field,
                "",
                item.content().fingerprint(),
                0,
                ctx.expiry(),
                item.content().text(),
                ctx.correlationId(),
                null,
                null);
    }

    static Set<String> evidenceOf(CapturedEvent e) {
        List<EvidenceRef> refs = e.payloadOrEmpty().evidence();
        if (refs == null || refs.isEmpty()) {
            return Set.of();
        }
        Set<String> out = new TreeSet<>();
        for (EvidenceRef r : refs) {
            out.add(r.sha256());
        }
        return out;
    }
}
