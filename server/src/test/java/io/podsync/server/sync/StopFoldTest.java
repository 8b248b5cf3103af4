package io.podsync.server.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.storage.EventRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fold on its own: rules that the end-to-end tests reach only by luck. */
class StopFoldTest {
    private static EventRow event(String device, long seq, String type, long correctedAt) {
        return event(device, seq, type, 1, correctedAt);
    }

    private static EventRow event(String device, long seq, String type, int attempt, long correctedAt) {
        return EventRow.builder()
                .deviceId(device)
                .seq(seq)
                .idempotencyKey(device + "-" + seq)
                .driverId("D")
                .stopId("S1")
                .routeId("R1")
                .type(type)
                .attempt(attempt)
                .capturedAt(correctedAt)
                .correctedAt(correctedAt)
                .receivedAt(correctedAt)
                .verdict("APPLIED")
                .flags("")
                .fingerprint("fp")
                .build();
    }

    @Test
    void aNoteNeverReordersTheEventsThatDecide() {
        // Device A's clock jumped back before its delivery: by seq it arrived, noted, delivered; by time the
        // delivery is earliest. Device B failed in between.
        List<EventRow> withNote = new ArrayList<>(List.of(
                event("A", 1, "ARRIVED", 100),
                event("A", 2, "NOTE", 500),
                event("A", 3, "DELIVERED", 50),
                event("B", 1, "FAILED", 200)));
        List<EventRow> withoutNote = new ArrayList<>(withNote);
        withoutNote.remove(1);
        StopFold.Result a = StopFold.fold("S1", withNote);
        StopFold.Result b = StopFold.fold("S1", withoutNote);
        assertEquals(b.state(), a.state(), "a note must not change the outcome, or skipping its refold is unsafe");
        assertEquals("delivered", a.state().status());
        assertEquals("A-3", a.state().outcomeEventKey());
        assertEquals(List.of("contradictory_outcomes@1"), a.state().anomalies());
    }

    @Test
    void aNoteInANewAttemptOpensIt() {
        List<EventRow> events = List.of(event("A", 1, "ARRIVED", 100), event("A", 2, "FAILED", 110));
        assertEquals("failed", StopFold.fold("S1", events).state().status());
        EventRow note = EventRow.builder()
                .deviceId("A")
                .seq(3)
                .idempotencyKey("A-3")
                .driverId("D")
                .stopId("S1")
                .routeId("R1")
                .type("NOTE")
                .attempt(2)
                .capturedAt(200L)
                .correctedAt(200L)
                .receivedAt(200L)
                .verdict("APPLIED")
                .flags("")
                .fingerprint("fp")
                .build();
        List<EventRow> more = new ArrayList<>(events);
        more.add(note);
        StopFold.Result r = StopFold.fold("S1", more);
        assertEquals("reattempt", r.state().status());
        assertEquals(2, r.state().attempt());
    }

    @Test
    void theInputsAStateKeepsFoldAsAllItsEventsDo() {
        List<EventRow> events = List.of(
                event("A", 1, "ARRIVED", 1, 100),
                event("A", 2, "ITEM_SCANNED", 1, 110),
                event("A", 3, "NOTE", 1, 120),
                event("A", 4, "FAILED", 1, 130),
                event("A", 5, "NOTE", 2, 200),
                event("A", 6, "ITEM_SCANNED", 2, 210),
                event("B", 1, "DELIVERED", 4, 400),
                event("B", 2, "DEPARTED", 5, 500),
                event("B", 3, "NOTE", 5, 510),
                event("A", 1, "ARRIVED", 1, 100)); // counted twice: the same device and sequence number
        List<EventRow> inputs = StopFold.inputs(events);
        // Arrivals and outcomes whole; of the attempts that only notes, scans or departures opened, one event each.
        assertEquals(
                List.of("A-1", "A-4", "A-5", "B-1", "B-2"),
                inputs.stream().map(EventRow::idempotencyKey).toList());
        assertEquals(StopFold.fold("S1", events), StopFold.fold("S1", inputs));
        assertEquals(
                List.of("event_after_completion@5"),
                StopFold.fold("S1", inputs).state().anomalies());
        // Folding the inputs again with nothing new keeps them as they are.
        assertEquals(inputs, StopFold.inputs(inputs));
        assertTrue(StopFold.sameEvents(inputs, StopFold.inputs(List.copyOf(inputs))));
        assertFalse(StopFold.sameEvents(inputs, inputs.subList(1, inputs.size())));
    }
}
