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
        return EventRow.builder()
                .deviceId(ctx.deviceId())
                .seq(item.seq() == null ? 0 : item.seq())
                .idempotencyKey(item.key())
                .driverId(ctx.driverId())
                .stopId(e == null ? null : e.stopId())
                .type(e == null ? null : e.type().name())
                .attempt(e == null ? 1 : e.attemptOrDefault())
                .capturedAt(e == null ? null : e.capturedAt().toEpochMilli())
                .receivedAt(ctx.receivedAt())
                .verdict(Verdict.REJECTED.name())
                .reason(reason)
                .field(field)
                .flags("")
                .fingerprint(item.content().fingerprint())
                .expiresAt(ctx.expiry())
                .payloadJson(item.content().text())
                .correlationId(ctx.correlationId())
                .build();
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
        return EventRow.builder()
                .deviceId(ctx.deviceId())
                .seq(e.seq())
                .idempotencyKey(e.idempotencyKey())
                .driverId(ctx.driverId())
                .stopId(e.stopId())
                .routeId(stop.routeId())
                .type(e.type().name())
                .attempt(e.attemptOrDefault())
                .capturedAt(e.capturedAt().toEpochMilli())
                .correctedAt(effective)
                .receivedAt(ctx.receivedAt())
                .clockOffsetMs(ctx.appliedOffset())
                .verdict(verdict.name())
                .reason(reason)
                .flags(String.join(",", flags))
                .fingerprint(item.content().fingerprint())
                .payloadJson(item.content().text())
                .correlationId(ctx.correlationId())
                .stopVersion(stopVersion)
                .build();
    }
}
