package io.podsync.server.sync;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.Verdict;
import io.podsync.storage.EventRow;
import io.podsync.storage.StopRow;
import java.util.List;

/** The rows a push stores for its events: one refused, or one fenced or counted against its stop. */
final class EventRows {
    private EventRows() {}

    /** An event refused: kept (with its receipt's expiry) so that a resend gets the same answer. */
    static EventRow rejected(PushItem item, PushContext ctx, String reason, String field) {
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

    /** An event stored against its stop: applied, awaiting evidence, or reassigned. */
    static EventRow stored(
            PushItem item,
            PushContext ctx,
            StopRow stop,
            Verdict verdict,
            String reason,
            List<String> flags,
            long effective,
            Long stopVersion) {
        CapturedEvent e = item.event();
        return new EventRow(
                ctx.deviceId(),
                e.seq(),
                e.idempotencyKey(),
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
    }
}
