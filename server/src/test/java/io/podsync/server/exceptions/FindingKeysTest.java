package io.podsync.server.exceptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.podsync.protocol.ExceptionKind;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key formats and wire names are stored: exceptions and findings written by an earlier version must still match
 * (a finding is attached once for good by its key; an open exception is found by its de-duplication key).
 */
class FindingKeysTest {
    @Test
    void keysKeepTheirStoredFormats() {
        assertEquals("stop:S1", FindingKeys.stop("S1"));
        assertEquals("route:R1", FindingKeys.route("R1"));
        assertEquals("device:P1", FindingKeys.device("P1"));
        assertEquals("stop_late:stop:S1", FindingKeys.dedupe(ExceptionKind.STOP_LATE, FindingKeys.stop("S1")));
        assertEquals("evidence:P1:K1", FindingKeys.evidence("P1", "K1"));
        assertEquals("event:P1:K1", FindingKeys.event(FindingKeys.EVENT, "P1", "K1"));
        assertEquals("manifest:P1:K1", FindingKeys.event(FindingKeys.MANIFEST, "P1", "K1"));
        assertEquals(
                "stop:S1:attempt:2:contradictory_outcomes",
                FindingKeys.contradiction("S1", 2, "contradictory_outcomes"));
        assertEquals("corrected:M1", FindingKeys.corrected("M1"));
        assertEquals("late:S1:1700000000000", FindingKeys.late("S1", 1_700_000_000_000L));
        assertEquals("undispatched:R1:D1", FindingKeys.undispatched("R1", "D1"));
        assertEquals("silent:P1:1700000000000", FindingKeys.silent("P1", 1_700_000_000_000L));
    }

    @Test
    void theSlaPrefixesStartTheirKeys() {
        assertEquals(FindingKeys.LATE, FindingKeys.late("S", 1).substring(0, FindingKeys.LATE.length()));
        assertEquals(
                FindingKeys.UNDISPATCHED,
                FindingKeys.undispatched("R", "D").substring(0, FindingKeys.UNDISPATCHED.length()));
        assertEquals(FindingKeys.SILENT, FindingKeys.silent("P", 1).substring(0, FindingKeys.SILENT.length()));
    }

    @Test
    void aSilenceKeyGivesBackItsLastSync() {
        // a device id may itself hold a colon: the time is what follows the last one
        assertEquals(1_700_000_000_123L, FindingKeys.silentSince(FindingKeys.silent("fleet:P1", 1_700_000_000_123L)));
    }

    @Test
    void wireNamesRoundTrip() {
        for (Resolution r : Resolution.values()) {
            assertEquals(r, Resolution.fromWire(r.wire()));
        }
        for (ExceptionStatus s : ExceptionStatus.values()) {
            assertEquals(s, ExceptionStatus.fromWire(s.wire()));
        }
        assertNull(Resolution.fromWire("approved"));
        assertThrows(IllegalArgumentException.class, () -> ExceptionStatus.fromWire("closed"));
        assertEquals(
                List.of("open", "resolved"),
                Arrays.stream(ExceptionStatus.values())
                        .map(ExceptionStatus::wire)
                        .toList());
    }

    @Test
    void aPersonChoosesAcceptedDismissedOrCorrected() {
        assertEquals(
                List.of("accepted", "dismissed", "corrected"),
                Arrays.stream(Resolution.values())
                        .filter(Resolution::byPerson)
                        .map(Resolution::wire)
                        .toList());
        assertEquals(
                List.of("cleared", "evidence_arrived", "withdrawn"),
                Arrays.stream(Resolution.values())
                        .filter(r -> !r.byPerson())
                        .map(Resolution::wire)
                        .toList());
    }
}
