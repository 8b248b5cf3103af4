package io.podsync.server.sync;

import io.podsync.protocol.EventResult;
import io.podsync.protocol.RejectReasons;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.storage.EventRow;
import io.podsync.storage.Tx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The answers of one push, in the order of its events: a new event's receipt, or the original's for a key already
 * used (by an earlier push or earlier in this one).
 */
final class PushAnswers {
    private final Tx tx;
    private final PushContext ctx;
    private final EventDecider decider;
    private final Map<String, EventRow> byKey = new HashMap<>();
    private final Map<String, List<String>> missingByKey = new HashMap<>();
    private final List<EventResult> results;
    private long maxSeq;

    PushAnswers(Tx tx, PushContext ctx, EventDecider decider, int size) {
        this.tx = tx;
        this.ctx = ctx;
        this.decider = decider;
        this.results = new ArrayList<>(size);
    }

    /**
     * Answers one event and returns its decision when it is to take effect (it is new, or is not stored at all), else
     * {@code null}.
     *
     * @param d the decision taken before storing, {@code null} for a later event with a key used earlier in the push
     * @param stored whether storing the batch stored this event
     */
    EventDecider.Decision answer(PushItem item, EventDecider.Decision d, boolean stored) {
        boolean isNew = stored;
        if (d == null) {
            EventRow earlier = byKey.get(item.key());
            if (earlier != null) {
                results.add(replay(item, earlier, missingByKey.get(item.key())));
                return null;
            }
            // The first event with this key was refused its sequence number: this one stands on its own.
            d = decider.decide(item);
            isNew = tx.events().insertAll(List.of(d.row()))[0];
        }
        if (item.storable()) {
            if (!isNew) {
                results.add(notNew(item));
                return null;
            }
            byKey.put(item.key(), d.row());
            missingByKey.put(item.key(), d.missing());
            maxSeq = Math.max(maxSeq, item.seq());
        }
        results.add(Receipts.withIndex(Receipts.of(d.row(), d.missing()), item.index()));
        return d;
    }

    List<EventResult> results() {
        return results;
    }

    /** The highest sequence number stored by this push, 0 when none. */
    long maxSeq() {
        return maxSeq;
    }

    /**
     * An event of this push that was not stored because its key or sequence number is taken. A stored original is
     * remembered for later events of the push with the same key.
     */
    private EventResult notNew(PushItem item) {
        EventRow stored =
                tx.events().findByKeys(ctx.deviceId(), List.of(item.key())).get(item.key());
        if (stored == null) { // the sequence number belongs to another event
            EventRow noted = decider.refused(item, RejectReasons.SEQUENCE_REUSED, item.field("seq"))
                    .row();
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
    static EventResult replay(PushItem item, EventRow earlier, List<String> missing) {
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

    /** What operations see as the device's last refusal in its listing: the last rejected or conflicting event. */
    static String lastRefusal(List<EventResult> results) {
        for (int i = results.size() - 1; i >= 0; i--) {
            EventResult r = results.get(i);
            if (r.verdict() == Verdict.REJECTED || r.verdict() == Verdict.CONFLICT) {
                return r.verdict() == Verdict.CONFLICT ? "conflict" : "rejected " + r.reason();
            }
        }
        return null;
    }
}
