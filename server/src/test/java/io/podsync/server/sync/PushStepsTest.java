package io.podsync.server.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.RejectReasons;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.storage.EventRow;
import io.podsync.storage.StopRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The deciding steps of a push on their own: no server, no database. */
class PushStepsTest {
    private static final Instant AT = Instant.parse("2026-11-23T09:00:00Z");

    private static StopRow stop(String driver, long version) {
        return StopRow.builder()
                .stopId("S1")
                .routeId("R1")
                .driverId(driver)
                .sequence(1)
                .status("active")
                .version(version)
                .contentHash("h")
                .policyJson("{}")
                .viewJson("{}")
                .manifestSince(1)
                .build();
    }

    private static CapturedEvent event(Long stopVersion) {
        return new CapturedEvent("k1", 1L, EventType.ARRIVED, "S1", 1, AT, null, stopVersion);
    }

    private static JsonNode json(String text) {
        return ProtocolJson.read(text, JsonNode.class);
    }

    private static final String VALID = "{\"idempotencyKey\":\"k1\",\"seq\":3,\"type\":\"arrived\",\"stopId\":\"S1\","
            + "\"capturedAt\":\"2026-11-23T09:00:00Z\"}";

    @Test
    void theFenceRefusesStopsNeverHeldAndVersionsNotYetReleased() {
        assertEquals(Fence.HELD, Fence.of(event(null), stop("D1", 2), false, false));
        assertEquals(Fence.HELD, Fence.of(event(2L), stop("D1", 2), false, false));
        assertEquals(Fence.NOT_ASSIGNED, Fence.of(event(null), null, false, false));
        assertEquals(Fence.NOT_ASSIGNED, Fence.of(event(null), stop("D2", 2), true, false));
        assertEquals(Fence.REASSIGNED, Fence.of(event(null), stop("D2", 2), true, true));
        assertEquals(Fence.VERSION_AHEAD, Fence.of(event(3L), stop("D1", 2), false, false));
        // A version check comes before the reassignment: a version the stop never had is refused outright.
        assertEquals(Fence.VERSION_AHEAD, Fence.of(event(3L), stop("D2", 2), true, true));
        assertTrue(Fence.NOT_ASSIGNED.refuses());
        assertFalse(Fence.REASSIGNED.refuses());
        assertEquals(RejectReasons.STOP_NOT_ASSIGNED, Fence.NOT_ASSIGNED.reason);
        assertEquals(ViolationCodes.OUT_OF_RANGE, Fence.VERSION_AHEAD.reason);
        assertEquals(RejectReasons.STOP_REASSIGNED, Fence.REASSIGNED.reason);
    }

    @Test
    void aClockIsCorrectedOnlyBeyondTheTrustTolerance() {
        long tolerance = Duration.ofSeconds(30).toMillis();
        assertEquals(0, CaptureTimes.appliedOffset(29_000, tolerance));
        assertEquals(0, CaptureTimes.appliedOffset(-30_000, tolerance));
        assertEquals(30_001, CaptureTimes.appliedOffset(30_001, tolerance));
        assertEquals(-45_000, CaptureTimes.appliedOffset(-45_000, tolerance));
    }

    @Test
    void aCaptureTimeOutsideReleaseAndArrivalIsMovedAndFlagged() {
        long received = 1_000_000;
        long released = 500_000;
        long tolerance = 60_000;
        assertEquals(
                new CaptureTimes.Placed(900_000, null), CaptureTimes.place(900_000, received, released, tolerance));
        assertEquals(
                new CaptureTimes.Placed(1_060_000, null), CaptureTimes.place(1_060_000, received, released, tolerance));
        assertEquals(
                new CaptureTimes.Placed(received, EventFlags.CAPTURE_TIME_IN_FUTURE),
                CaptureTimes.place(1_060_001, received, released, tolerance));
        assertEquals(
                new CaptureTimes.Placed(440_000, null), CaptureTimes.place(440_000, received, released, tolerance));
        assertEquals(
                new CaptureTimes.Placed(released, EventFlags.CAPTURE_TIME_BEFORE_RELEASE),
                CaptureTimes.place(439_999, received, released, tolerance));
    }

    @Test
    void parsingKeepsAnInvalidEventsKeyAndSequenceWhenUsable() {
        PushItem good = PushItem.parse(0, json(VALID));
        assertNotNull(good.event());
        assertNull(good.violation());
        assertEquals("k1", good.key());
        assertEquals(3L, good.seq());
        assertTrue(good.storable());

        PushItem bad = PushItem.parse(2, json(VALID.replace("\"arrived\"", "\"teleported\"")));
        assertNull(bad.event());
        assertNotNull(bad.violation());
        assertTrue(
                bad.violation().field().startsWith("events[2]"), bad.violation().field());
        assertEquals("k1", bad.key());
        assertEquals(3L, bad.seq());
        assertTrue(bad.storable());

        PushItem noSeq = PushItem.parse(1, json(VALID.replace("\"seq\":3", "\"seq\":0")));
        assertNotNull(noSeq.violation());
        assertNull(noSeq.seq());
        assertFalse(noSeq.storable());
        assertEquals("events[1].seq", noSeq.field("seq"));
    }

    @Test
    void aResentKeyIsADuplicateWithTheSameContentAndAConflictWithOther() {
        PushItem first = PushItem.parse(0, json(VALID));
        EventRow stored = row(first.content().fingerprint(), "APPLIED");
        EventResult same = PushAnswers.replay(first, stored, null);
        assertEquals(Verdict.DUPLICATE, same.verdict());
        assertNull(same.reason());
        assertEquals(Verdict.APPLIED, same.original().verdict());

        PushItem other = PushItem.parse(4, json(VALID.replace("09:00:00Z", "09:01:00Z")));
        EventResult conflict = PushAnswers.replay(other, stored, null);
        assertEquals(Verdict.CONFLICT, conflict.verdict());
        assertEquals(RejectReasons.IDEMPOTENCY_KEY_REUSED, conflict.reason());
        assertEquals(4, conflict.index());
    }

    @Test
    void theDevicesLastRefusalIsTheLastRejectedOrConflictingEvent() {
        assertNull(PushAnswers.lastRefusal(List.of(result(Verdict.APPLIED, null), result(Verdict.DUPLICATE, null))));
        assertEquals(
                "rejected stop_not_assigned",
                PushAnswers.lastRefusal(List.of(
                        result(Verdict.CONFLICT, null),
                        result(Verdict.REJECTED, "stop_not_assigned"),
                        result(Verdict.APPLIED, null))));
        assertEquals(
                "conflict",
                PushAnswers.lastRefusal(List.of(result(Verdict.REJECTED, "x"), result(Verdict.CONFLICT, "y"))));
    }

    @Test
    void anOutcomesFindingsSeparateAChangedManifestFromFailedChecks() {
        assertEquals(Map.of(), EventDecider.outcomeFindings(List.of()));
        assertEquals(
                Map.of(ExceptionKind.MANIFEST_CHANGED, List.of(EventFlags.MANIFEST_CHANGED)),
                EventDecider.outcomeFindings(List.of(EventFlags.MANIFEST_CHANGED)));
        Map<ExceptionKind, List<String>> both = EventDecider.outcomeFindings(
                List.of(EventFlags.OUTSIDE_GEOFENCE, EventFlags.MANIFEST_CHANGED, EventFlags.REASON_MISSING));
        assertEquals(List.of(ExceptionKind.MANIFEST_CHANGED, ExceptionKind.FLAGGED_EVENT), List.copyOf(both.keySet()));
        assertEquals(
                List.of(EventFlags.OUTSIDE_GEOFENCE, EventFlags.REASON_MISSING), both.get(ExceptionKind.FLAGGED_EVENT));
    }

    @Test
    void onlyEventsAtAHeldStopAreMomentsOfTheTrip() {
        assertTrue(PushProcessor.isMoment(Verdict.APPLIED, EventType.ARRIVED));
        assertTrue(PushProcessor.isMoment(Verdict.AWAITING_EVIDENCE, EventType.DEPARTED));
        assertFalse(PushProcessor.isMoment(Verdict.REASSIGNED, EventType.ARRIVED));
        assertFalse(PushProcessor.isMoment(Verdict.REJECTED, EventType.ARRIVED));
        assertFalse(PushProcessor.isMoment(Verdict.APPLIED, EventType.DELIVERED));
        assertTrue(PushProcessor.isReceived(Verdict.REASSIGNED));
        assertFalse(PushProcessor.isReceived(Verdict.DUPLICATE));
        assertFalse(PushProcessor.isReceived(Verdict.REJECTED));
    }

    private static PushItem item(CapturedEvent e) {
        return new PushItem(0, e, null, e.idempotencyKey(), e.seq(), CanonicalJson.canonical(e.normalized()));
    }

    private static final String SHA = "b".repeat(64);

    /** A decider over one stop S1 (version 2, released at 0) without a database: nothing here needs one. */
    private static EventDecider decider(String holder, boolean heldBefore, long receivedAt) {
        StopRow s1 = StopRow.builder()
                .stopId("S1")
                .routeId("R1")
                .driverId(holder)
                .sequence(1)
                .status("active")
                .version(2)
                .contentHash("h")
                .policyJson(ProtocolJson.toString(ProofPolicy.NONE))
                .viewJson("{}")
                .manifestSince(1)
                .build();
        Set<String> foreign = holder.equals("D1") ? Set.of() : Set.of("S1");
        PushLookups lookups =
                new PushLookups(Map.of("S1", s1), foreign, heldBefore ? Set.of("S1") : Set.of(), Map.of(), Set.of());
        return new EventDecider(null, lookups, new PushContext("D1", "dev", receivedAt, 0, 0, 99, "c"), 60_000);
    }

    @Test
    void anEventIsFencedCheckedAndGatedOnItsEvidence() {
        long received = AT.toEpochMilli() + 1_000;
        CapturedEvent failed = new CapturedEvent(
                "k1",
                1L,
                EventType.FAILED,
                "S1",
                1,
                AT,
                EventPayload.EMPTY.withEvidence(List.of(new EvidenceRef(SHA, EvidenceKind.PHOTO, "image/jpeg"))),
                2L);
        EventDecider.Decision held = decider("D1", false, received).decide(item(failed));
        assertEquals("AWAITING_EVIDENCE", held.row().verdict());
        assertEquals(List.of(SHA), held.missing());
        assertEquals(EventFlags.REASON_MISSING, held.row().flags());
        assertEquals(AT.toEpochMilli(), held.row().correctedAt());
        assertEquals(
                List.of(ExceptionKind.FLAGGED_EVENT),
                held.findings().stream().map(f -> f.kind()).toList());

        EventDecider.Decision fenced = decider("D2", true, received).decide(item(failed));
        assertEquals("REASSIGNED", fenced.row().verdict());
        assertEquals(RejectReasons.STOP_REASSIGNED, fenced.row().reason());
        assertEquals("", fenced.row().flags());
        assertEquals("event:dev:k1", fenced.findings().get(0).key());
        assertEquals(ExceptionKind.REASSIGNED_EVENT, fenced.findings().get(0).kind());

        EventDecider.Decision refused = decider("D2", false, received).decide(item(failed));
        assertEquals("REJECTED", refused.row().verdict());
        assertEquals("events[0].stopId", refused.row().field());
        assertEquals(99L, refused.row().expiresAt());
        assertEquals(List.of(), refused.findings());

        CapturedEvent early = new CapturedEvent("k2", 2L, EventType.ARRIVED, "S1", 1, AT, null, null);
        EventDecider.Decision future =
                decider("D1", false, AT.toEpochMilli() - 60_001).decide(item(early));
        assertEquals("APPLIED", future.row().verdict());
        assertEquals(EventFlags.CAPTURE_TIME_IN_FUTURE, future.row().flags());
        assertEquals(AT.toEpochMilli() - 60_001, future.row().correctedAt());
        assertEquals(List.of(), future.findings(), "only an outcome's flags are findings");
    }

    private static EventResult result(Verdict verdict, String reason) {
        return new EventResult(0, "k", 1L, "S1", verdict, reason, null, null, null, null, null, null);
    }

    private static EventRow row(String fingerprint, String verdict) {
        return EventRow.builder()
                .deviceId("dev")
                .seq(3)
                .idempotencyKey("k1")
                .driverId("D1")
                .stopId("S1")
                .routeId("R1")
                .type("ARRIVED")
                .attempt(1)
                .capturedAt(0L)
                .correctedAt(0L)
                .verdict(verdict)
                .flags("")
                .fingerprint(fingerprint)
                .build();
    }
}
