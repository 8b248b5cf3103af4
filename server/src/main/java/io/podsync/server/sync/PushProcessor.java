package io.podsync.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.Limits;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.RejectReasons;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.Violation;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.protocol.validation.Identifiers;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.Database;
import io.podsync.storage.EventRow;
import io.podsync.storage.EvidenceLinkRow;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.StopRow;
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
import java.util.stream.Collectors;

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
            listener.verdict(
                    results.get(i).verdict(), e == null ? "invalid" : e.type().wire());
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
            if (!v.isEmpty()) {
                return new Item(index, null, v.get(0), key, seq, CanonicalJson.canonical(raw));
            }
            return new Item(index, e, null, e.idempotencyKey(), e.seq(), CanonicalJson.canonical(e.normalized()));
        } catch (ProblemException p) {
            Violation v = new Violation(p.code(), p.field(), p.getMessage());
            return new Item(index, null, v, key, seq, CanonicalJson.canonical(raw));
        }
    }

    /** Everything the batch reads before deciding, in a handful of queries. */
    private static final class Lookups {
        Map<String, EventRow> stored;
        Map<String, List<String>> storedMissing;
        Map<Long, String> seqOwner;
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
        Set<String> keys = new HashSet<>();
        Set<Long> seqs = new HashSet<>();
        Set<String> referenced = new HashSet<>();
        for (Item item : items) {
            if (item.key() != null) {
                keys.add(item.key());
            }
            if (item.seq() != null) {
                seqs.add(item.seq());
            }
            if (item.event() != null) {
                stopIds.add(item.event().stopId());
                referenced.addAll(evidenceOf(item.event()));
            }
        }
        // Stops first: on PostgreSQL their row locks make a concurrent twin of this push wait here, so that it then
        // reads this push's events as stored and answers duplicate.
        l.stops = tx.routes().lockStops(stopIds);
        l.stored = tx.events().findByKeys(ctx.deviceId(), keys);
        Set<String> awaitingKeys = l.stored.values().stream()
                .filter(e -> Verdict.AWAITING_EVIDENCE.name().equals(e.verdict()))
                .map(EventRow::idempotencyKey)
                .collect(Collectors.toSet());
        l.storedMissing = awaitingKeys.isEmpty() ? Map.of() : tx.evidence().missingFor(ctx.deviceId(), awaitingKeys);
        l.seqOwner = new HashMap<>(tx.events().seqsTaken(ctx.deviceId(), seqs));
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

    private List<EventResult> apply(Tx tx, Context ctx, List<Item> items) {
        Lookups l = lookups(tx, ctx, items);
        StopStates.Batch batch = new StopStates.Batch();
        Map<String, EventRow> decided = new HashMap<>();
        Map<String, List<String>> decidedMissing = new HashMap<>();
        List<EventResult> results = new ArrayList<>(items.size());
        List<EventRow> rows = new ArrayList<>();
        List<EvidenceLinkRow> links = new ArrayList<>();
        long maxSeq = 0;

        for (Item item : items) {
            String key = item.key();
            EventRow earlier = key == null ? null : l.stored.getOrDefault(key, decided.get(key));
            if (earlier != null) {
                boolean same = earlier.fingerprint().equals(item.content().fingerprint());
                List<String> missing = l.storedMissing.getOrDefault(key, decidedMissing.get(key));
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
                        null,
                        Receipts.of(earlier, missing)));
                continue;
            }
            if (item.seq() != null && l.seqOwner.containsKey(item.seq())) {
                EventRow noted = rejected(item, ctx, RejectReasons.SEQUENCE_REUSED, "events[" + item.index() + "].seq");
                results.add(Receipts.withIndex(Receipts.of(noted, null), item.index()));
                continue; // not stored: the sequence number belongs to another event
            }
            EventRow row;
            List<String> missing = List.of();
            if (item.violation() != null) {
                row = rejected(
                        item, ctx, item.violation().code(), item.violation().field());
            } else {
                CapturedEvent e = item.event();
                StopRow stop = l.stops.get(e.stopId());
                if (stop == null || (l.foreign.contains(e.stopId()) && !l.heldBefore.contains(e.stopId()))) {
                    row = rejected(item, ctx, RejectReasons.STOP_NOT_ASSIGNED, "events[" + item.index() + "].stopId");
                } else {
                    Set<String> refs = evidenceOf(e);
                    missing = refs.stream()
                            .filter(h -> !l.artifactsPresent.contains(h))
                            .sorted()
                            .toList();
                    row = counted(item, stop, l, ctx, missing, batch);
                    for (String sha : refs) {
                        links.add(new EvidenceLinkRow(ctx.deviceId(), key, sha, ctx.driverId()));
                    }
                    if (Verdict.APPLIED.name().equals(row.verdict())) {
                        batch.counted(row, new StopStates.Added(e.type(), e.attemptOrDefault()));
                    }
                }
            }
            results.add(Receipts.withIndex(Receipts.of(row, missing), item.index()));
            if (key != null && item.seq() != null) {
                rows.add(row);
                decided.put(key, row);
                decidedMissing.put(key, missing);
                l.seqOwner.put(item.seq(), key);
                maxSeq = Math.max(maxSeq, item.seq());
            }
        }
        tx.events().insertAll(rows);
        tx.evidence().link(links);
        states.finish(tx, batch, l.stops, ctx.receivedAt());
        tx.devices().recordSync(ctx.deviceId(), ctx.receivedAt(), ctx.measuredOffset(), maxSeq);
        return results;
    }

    /**
     * An event for a stop the driver holds (applied with its flags, or awaiting evidence) or held before a reassignment
     * (fenced: stored, not counted, shown to a person).
     */
    private EventRow counted(
            Item item, StopRow stop, Lookups l, Context ctx, List<String> missing, StopStates.Batch batch) {
        CapturedEvent e = item.event();
        String key = e.idempotencyKey();
        long corrected = e.capturedAt().toEpochMilli() + ctx.appliedOffset();
        long effective = corrected;
        List<String> flags = new ArrayList<>();
        Verdict verdict;
        String reason = null;
        if (l.foreign.contains(e.stopId())) {
            verdict = Verdict.REASSIGNED;
            reason = RejectReasons.STOP_REASSIGNED;
            batch.exception(StopStates.exception(
                    "event:" + ctx.deviceId() + ":" + key,
                    StopStates.EXCEPTION_REASSIGNED,
                    List.of(RejectReasons.STOP_REASSIGNED),
                    stop,
                    ctx.driverId(),
                    ctx.deviceId(),
                    key,
                    ctx.receivedAt()));
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
            if (e.type().isOutcome() && !flags.isEmpty()) {
                batch.exception(StopStates.exception(
                        "event:" + ctx.deviceId() + ":" + key,
                        StopStates.EXCEPTION_FLAGGED,
                        flags,
                        stop,
                        ctx.driverId(),
                        ctx.deviceId(),
                        key,
                        ctx.receivedAt()));
            }
        }
        return new EventRow(
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
                ctx.correlationId());
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
                ctx.correlationId());
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
