package io.podsync.server.sync;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.OrderLineRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.Tx;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The look-up step of a push: everything the batch reads before deciding, in a handful of queries. Not whether its
 * events are new: storing them finds that out (see {@link io.podsync.storage.EventRepository#insertAll}).
 */
final class PushLookups {
    final Map<String, StopRow> stops;
    private final Set<String> foreign;
    private final Set<String> heldBefore;
    private final Map<String, Map<String, OrderLineRow>> linesByStop;
    private final Set<String> artifactsPresent;
    private final Map<String, ProofPolicy> policies = new HashMap<>();

    PushLookups(
            Map<String, StopRow> stops,
            Set<String> foreign,
            Set<String> heldBefore,
            Map<String, Map<String, OrderLineRow>> linesByStop,
            Set<String> artifactsPresent) {
        this.stops = stops;
        this.foreign = foreign;
        this.heldBefore = heldBefore;
        this.linesByStop = linesByStop;
        this.artifactsPresent = artifactsPresent;
    }

    static PushLookups read(Tx tx, String driverId, List<PushItem> items) {
        // One pass, not a stream per set: this runs on the single writer for every push.
        Set<String> stopIds = new HashSet<>();
        Set<String> referenced = new HashSet<>();
        for (PushItem item : items) {
            if (item.event() != null) {
                stopIds.add(item.event().stopId());
                referenced.addAll(PushItem.evidenceOf(item.event()));
            }
        }
        // On PostgreSQL the stops' row locks serialize pushes to the same stops, so that each refolds a state from
        // the events the other stored (a concurrent twin of this push waits on the key's index entry anyway).
        Map<String, StopRow> stops = tx.routes().lockStops(stopIds);
        Set<String> foreign = new HashSet<>();
        for (StopRow stop : stops.values()) {
            if (!stop.driverId().equals(driverId)) {
                foreign.add(stop.stopId());
            }
        }
        Set<String> heldBefore = foreign.isEmpty() ? Set.of() : tx.routes().stopsEverHeld(driverId, foreign);
        Set<String> own = new HashSet<>(stops.keySet());
        own.removeAll(foreign);
        Map<String, Map<String, OrderLineRow>> linesByStop = new HashMap<>();
        for (OrderLineRow line : tx.routes().linesOfStops(own)) {
            linesByStop
                    .computeIfAbsent(line.stopId(), k -> new HashMap<>())
                    .put(EventChecks.lineKey(line.orderId(), line.lineId()), line);
        }
        Set<String> present = referenced.isEmpty() ? Set.of() : tx.evidence().storedOf(referenced);
        return new PushLookups(stops, foreign, heldBefore, linesByStop, present);
    }

    Fence fence(CapturedEvent e) {
        return Fence.of(e, stops.get(e.stopId()), foreign.contains(e.stopId()), heldBefore.contains(e.stopId()));
    }

    /** The gate: the evidence an event references that the server does not have yet, sorted. */
    List<String> missing(CapturedEvent e) {
        return PushItem.evidenceOf(e).stream()
                .filter(h -> !artifactsPresent.contains(h))
                .sorted()
                .toList();
    }

    /** The stop's order lines by {@link EventChecks#lineKey}. */
    Map<String, OrderLineRow> lines(String stopId) {
        return linesByStop.getOrDefault(stopId, Map.of());
    }

    ProofPolicy policy(StopRow stop) {
        return policies.computeIfAbsent(stop.stopId(), id -> parsedPolicy(stop.policyJson()));
    }

    /**
     * Proof policies are few and repeat across thousands of stops; parsing one per stop per push was a tenth of the
     * single writer's time. Bounded: a fleet with more distinct policies than this just parses again.
     */
    private static final Map<String, ProofPolicy> POLICIES = new ConcurrentHashMap<>();

    private static ProofPolicy parsedPolicy(String json) {
        ProofPolicy p = POLICIES.get(json);
        if (p == null) {
            p = ProtocolJson.read(json, ProofPolicy.class);
            if (POLICIES.size() < 1_000) {
                POLICIES.put(json, p);
            }
        }
        return p;
    }
}
