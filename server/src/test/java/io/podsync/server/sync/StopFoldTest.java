package io.podsync.server.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podsync.storage.EventRow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fold on its own: rules that the end-to-end tests reach only by luck. */
class StopFoldTest {
    private static EventRow event(String device, long seq, String type, long correctedAt) {
        return new EventRow(
                device,
                seq,
                device + "-" + seq,
                "D",
                "S1",
                "R1",
                type,
                1,
                correctedAt,
                correctedAt,
                correctedAt,
                0,
                "APPLIED",
                null,
                null,
                "",
                "fp",
                0,
                null,
                null,
                null);
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
        EventRow note = new EventRow(
                "A", 3, "A-3", "D", "S1", "R1", "NOTE", 2, 200L, 200L, 200L, 0, "APPLIED", null, null, "", "fp", 0,
                null, null, null);
        List<EventRow> more = new ArrayList<>(events);
        more.add(note);
        StopFold.Result r = StopFold.fold("S1", more);
        assertEquals("reattempt", r.state().status());
        assertEquals(2, r.state().attempt());
    }
}
