package io.podsync.server.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.podsync.protocol.EventType;
import io.podsync.server.erp.OutboxStatus;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop and outbox statuses are stored and shown by their wire names, which must not drift. */
class StopStatusTest {
    @Test
    void anOutcomeStatusIsTheOutcomeEventsWireName() {
        // StopFold writes a decided stop's status as its outcome event's wire name
        for (StopStatus s : StopStatus.values()) {
            if (s.isOutcome()) {
                EventType type = EventType.valueOf(s.name());
                assertEquals(type.wire(), s.wire());
                assertEquals(type.isOutcome(), s.isOutcome());
            }
        }
        assertEquals(
                List.of("delivered", "partially_delivered"),
                Arrays.stream(StopStatus.values())
                        .filter(StopStatus::isSuccess)
                        .map(StopStatus::wire)
                        .toList());
    }

    @Test
    void wireNamesRoundTrip() {
        for (StopStatus s : StopStatus.values()) {
            assertEquals(s, StopStatus.fromWire(s.wire()));
        }
        for (OutboxStatus s : OutboxStatus.values()) {
            assertEquals(s, OutboxStatus.fromWire(s.wire()));
        }
        assertEquals(
                List.of("pending", "held", "delivered", "dead"),
                Arrays.stream(OutboxStatus.values()).map(OutboxStatus::wire).toList());
        assertThrows(IllegalArgumentException.class, () -> StopStatus.fromWire("done"));
        assertThrows(IllegalArgumentException.class, () -> OutboxStatus.fromWire("sent"));
    }
}
