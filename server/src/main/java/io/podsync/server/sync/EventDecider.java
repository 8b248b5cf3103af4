package io.podsync.server.sync;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.StopView;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.exceptions.ExceptionQueue;
import io.podsync.server.exceptions.FindingKeys;
import io.podsync.storage.EventRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.StopVersionRow;
import io.podsync.storage.Tx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides what becomes of one event if it is new, in the order of the push pipeline: refuse the invalid, fence it to
 * its stop, check it (flags, capture time, manifest), gate it on its evidence. Reads the database only for an outcome
 * captured against an older manifest.
 */
final class EventDecider {
    /** What becomes of one event if it is new: its row, the evidence it still lacks, findings for operations. */
    record Decision(EventRow row, List<String> missing, List<ExceptionQueue.Finding> findings) {}

    private final Tx tx;
    private final PushLookups lookups;
    private final PushContext ctx;
    private final long futureTolerance;

    EventDecider(Tx tx, PushLookups lookups, PushContext ctx, long futureTolerance) {
        this.tx = tx;
        this.lookups = lookups;
        this.ctx = ctx;
        this.futureTolerance = futureTolerance;
    }

    Decision decide(PushItem item) {
        if (item.violation() != null) {
            return refused(item, item.violation().code(), item.violation().field());
        }
        Fence fence = lookups.fence(item.event());
        if (fence.refuses()) {
            return refused(item, fence.reason, item.field(fence.field));
        }
        StopRow stop = lookups.stops.get(item.event().stopId());
        return fence == Fence.REASSIGNED ? reassigned(item, stop) : held(item, stop);
    }

    /** A refusal the device can see again on a resend, never counted. */
    Decision refused(PushItem item, String reason, String field) {
        return new Decision(EventRows.rejected(item, ctx, reason, field), List.of(), List.of());
    }

    /** Stored, not counted, shown to a person. */
    private Decision reassigned(PushItem item, StopRow stop) {
        CapturedEvent e = item.event();
        long corrected = e.capturedAt().toEpochMilli() + ctx.appliedOffset();
        String reason = Fence.REASSIGNED.reason;
        EventRow row =
                EventRows.stored(item, ctx, stop, Verdict.REASSIGNED, reason, List.of(), corrected, e.stopVersion());
        ExceptionQueue.Finding finding =
                finding(ExceptionKind.REASSIGNED_EVENT, List.of(reason), stop, e.idempotencyKey(), e.stopVersion());
        return new Decision(row, lookups.missing(e), List.of(finding));
    }

    /** Applied with its flags, or awaiting the evidence the server does not have yet. */
    private Decision held(PushItem item, StopRow stop) {
        CapturedEvent e = item.event();
        List<String> missing = lookups.missing(e);
        List<String> flags =
                new ArrayList<>(EventChecks.flags(e, stop, lookups.policy(stop), lookups.lines(stop.stopId())));
        CaptureTimes.Placed placed = CaptureTimes.place(
                e.capturedAt().toEpochMilli() + ctx.appliedOffset(),
                ctx.receivedAt(),
                stop.releasedAt(),
                futureTolerance);
        if (placed.flag() != null) {
            flags.add(placed.flag());
        }
        Long stopVersion = e.stopVersion();
        List<ExceptionQueue.Finding> findings = new ArrayList<>(1);
        if (e.type().isOutcome()) {
            stopVersion = stopVersion != null ? stopVersion : basisVersion(stop, placed.effective());
            if (manifestChanged(e, stop, stopVersion)) {
                flags.add(EventFlags.MANIFEST_CHANGED);
            }
            for (Map.Entry<ExceptionKind, List<String>> f :
                    outcomeFindings(flags).entrySet()) {
                findings.add(finding(f.getKey(), f.getValue(), stop, e.idempotencyKey(), stopVersion));
            }
        }
        Verdict verdict = missing.isEmpty() ? Verdict.APPLIED : Verdict.AWAITING_EVIDENCE;
        EventRow row = EventRows.stored(item, ctx, stop, verdict, null, flags, placed.effective(), stopVersion);
        return new Decision(row, missing, findings);
    }

    /**
     * What operations see about an outcome with these flags: a changed manifest on its own, and the checks it failed
     * together, in that order.
     */
    static Map<ExceptionKind, List<String>> outcomeFindings(List<String> flags) {
        Map<ExceptionKind, List<String>> out = new LinkedHashMap<>();
        if (flags.contains(EventFlags.MANIFEST_CHANGED)) {
            out.put(ExceptionKind.MANIFEST_CHANGED, List.of(EventFlags.MANIFEST_CHANGED));
        }
        List<String> checks = flags.stream()
                .filter(f -> !f.equals(EventFlags.MANIFEST_CHANGED))
                .toList();
        if (!checks.isEmpty()) {
            out.put(ExceptionKind.FLAGGED_EVENT, checks);
        }
        return out;
    }

    /** A finding about one event of this push, keyed {@code manifest:<device>:<key>} or {@code event:<device>:<key>}. */
    private ExceptionQueue.Finding finding(
            ExceptionKind kind, List<String> codes, StopRow stop, String key, Long stopVersion) {
        String prefix = kind == ExceptionKind.MANIFEST_CHANGED ? FindingKeys.MANIFEST : FindingKeys.EVENT;
        return ExceptionQueue.Finding.about(
                FindingKeys.event(prefix, ctx.deviceId(), key),
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
    private long basisVersion(StopRow stop, long capturedAt) {
        if (stop.manifestSince() <= 1) {
            return stop.version();
        }
        return tx.routes()
                .versionPulled(ctx.deviceId(), stop.stopId(), capturedAt)
                .or(() -> tx.routes().versionReleased(stop.stopId(), capturedAt))
                .orElse(stop.version());
    }

    /**
     * Whether the stop's manifest changed after the version the outcome was captured against, in a way that touches
     * what it asserts ({@link Manifests}). Free while the version is at or after the stop's last change of goods or
     * place; otherwise the two versions are read from the stop's history.
     */
    private boolean manifestChanged(CapturedEvent e, StopRow stop, long seen) {
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
}
