package io.podsync.server.evidence;

import io.podsync.protocol.EventType;
import io.podsync.server.exceptions.FindingKeys;
import io.podsync.server.exceptions.Resolution;
import io.podsync.server.sync.StopStates;
import io.podsync.server.sync.SyncListener;
import io.podsync.storage.EventRow;
import io.podsync.storage.EvidenceLinkRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Releases events that were waiting for an artifact: when the last artifact an event references is stored, the event
 * becomes applied, its stop's state is derived again, and the device sees the new verdict in its next pull. Runs in
 * the transaction that records the artifact, so an artifact is never stored without its events moving on.
 */
public final class EvidenceGate {
    private final StopStates states;
    private final SyncListener listener;

    public EvidenceGate(StopStates states, SyncListener listener) {
        this.states = states;
        this.listener = listener;
    }

    /** Returns how many events were released. */
    public int artifactStored(Tx tx, String sha256, long now) {
        List<EvidenceLinkRow> waiting = tx.evidence().awaiting(sha256);
        if (waiting.isEmpty()) {
            return 0;
        }
        StopStates.Batch batch = new StopStates.Batch();
        List<EventRow> released = new ArrayList<>();
        Map<String, List<String>> keysByDevice = waiting.stream()
                .collect(Collectors.groupingBy(
                        EvidenceLinkRow::deviceId,
                        Collectors.mapping(EvidenceLinkRow::idempotencyKey, Collectors.toList())));
        for (Map.Entry<String, List<String>> device : keysByDevice.entrySet()) {
            Set<String> stillMissing =
                    tx.evidence().missingFor(device.getKey(), device.getValue()).keySet();
            List<String> ready = device.getValue().stream()
                    .filter(k -> !stillMissing.contains(k))
                    .toList();
            if (ready.isEmpty()) {
                continue;
            }
            tx.events().markApplied(device.getKey(), ready);
            for (String key : ready) {
                // The evidence arrived after all: the person-facing "missing" finding has nothing left to say.
                states.exceptions()
                        .clear(tx, FindingKeys.evidence(device.getKey(), key), Resolution.EVIDENCE_ARRIVED, now);
            }
            released.addAll(tx.events().findByKeys(device.getKey(), ready).values());
        }
        if (released.isEmpty()) {
            return 0;
        }
        Map<String, StopRow> stops =
                tx.routes().lockStops(released.stream().map(EventRow::stopId).collect(Collectors.toSet()));
        for (EventRow e : released) {
            batch.counted(e, new StopStates.Added(EventType.valueOf(e.type()), e.attempt()));
        }
        states.finish(tx, batch, stops, now);
        int count = released.size();
        tx.afterCommit(() -> listener.eventsReleased(count));
        return count;
    }
}
