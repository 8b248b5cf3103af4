package io.podsync.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadCommandTest {
    @Test
    void aPreparedPushGetsTheSendTimeAndStaysTheSameOtherwise() {
        CapturedEvent e =
                new CapturedEvent("k-1", 1L, EventType.NOTE, "S-1", 1, Instant.parse("2026-11-23T08:00:00.123Z"), null);
        byte[] prepared = ProtocolJson.toBytes(new PushRequest(LoadCommand.STAMP, List.of(e)));
        Instant now = Instant.parse("2026-11-23T09:10:11.456Z");

        PushRequest sent = ProtocolJson.read(new String(LoadCommand.stamped(prepared, now)), PushRequest.class);

        assertEquals(now, sent.sentAt());
        assertEquals(List.of(e), sent.events());
    }

    @Test
    void everyStopGetsTheWholeCycleAndStopsBeyondOneRouteGoOnInTheNext() {
        List<CapturedEvent> events = LoadCommand.events("t", 2, 4 * 501 + 2);

        assertEquals(4 * 501 + 2, events.size());
        assertEquals(
                List.of(EventType.ARRIVED, EventType.ITEM_SCANNED, EventType.NOTE, EventType.DELIVERED),
                events.subList(1996, 2000).stream().map(CapturedEvent::type).toList());
        assertEquals("t-R2-0-S499", events.get(1999).stopId());
        assertEquals("t-R2-1-S0", events.get(2000).stopId(), "the 501st stop is the first of a second route");
        assertEquals(EventType.ARRIVED, events.get(2000).type());
        assertEquals("t-R2-1-O0", events.get(2003).payload().lines().get(0).orderId());
        assertEquals(
                4 * 501 + 2, events.stream().map(CapturedEvent::seq).distinct().count(), "sequence numbers unique");
        assertEquals(
                4 * 501 + 2,
                events.stream().map(CapturedEvent::idempotencyKey).distinct().count(),
                "keys unique");
    }

    @Test
    void onlyTheResultsOwnAppliedVerdictsCount() throws Exception {
        EventResult applied = result(0, Verdict.APPLIED, null);
        PushResponse answer = new PushResponse(
                Instant.now(),
                0,
                List.of(
                        applied,
                        result(1, Verdict.REJECTED, null),
                        result(2, Verdict.DUPLICATE, applied), // its original says applied; it is not
                        result(3, Verdict.APPLIED, null)));
        assertEquals(2, LoadCommand.applied(ProtocolJson.toBytes(answer)));
    }

    private static EventResult result(int index, Verdict verdict, EventResult original) {
        return new EventResult(
                index, "k-" + index, (long) index + 1, "S-1", verdict, null, null, null, null, null, original, null);
    }
}
