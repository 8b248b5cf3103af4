package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.Recipient;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClientException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Validation at ingest: flags travel with applied events, and flagged outcomes land in the exception queue. */
class ValidationFlagsTest {
    static TestServer server;
    static TestServer.Device device;
    static long seq = 0;
    static final String SIG = "a".repeat(64);
    static final String PHOTO = "b".repeat(64);

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        server = TestServer.start(dir, db);
        ProofPolicy strict = new ProofPolicy(true, 1, true, true, 18);
        List<StopSpec> stops = new ArrayList<>();
        for (int i = 1; i <= 13; i++) {
            stops.add(Fixtures.stop("RV", i, i == 1 ? strict : ProofPolicy.NONE));
        }
        server.erp().releaseRoute("RV", new RouteRelease("DV", "VAN", LocalDate.of(2026, 11, 23), stops));
        device = server.device("DV");
        return server;
    });

    private static EventResult pushOne(CapturedEvent e, Instant sentAt) {
        PushResponse r = device.client().push(new PushRequest(sentAt, List.of(e)));
        return r.results().get(0);
    }

    private static CapturedEvent ev(EventType type, int stop, Instant at, EventPayload p) {
        return new CapturedEvent(UUID.randomUUID().toString(), ++seq, type, "RV-S" + stop, 1, at, p);
    }

    private static EventPayload delivery(
            int stop, List<LineOutcome> lines, GeoFix at, List<EvidenceRef> evidence, Recipient recipient) {
        return EventPayload.EMPTY
                .withRecipient(recipient)
                .withLines(lines)
                .withLocation(at)
                .withEvidence(evidence);
    }

    private static List<LineOutcome> exact(int stop) {
        return List.of(
                new LineOutcome("RV-O" + stop, "L1", new BigDecimal("4"), null, null, true),
                new LineOutcome("RV-O" + stop, "L2", new BigDecimal("2"), null, null, true));
    }

    private static List<ExceptionView> exceptionsFor(String key) {
        return server.ops().exceptions("open", 1000).items().stream()
                .filter(x -> key.equals(x.idempotencyKey()))
                .toList();
    }

    @Test
    void aCleanDeliveryMeetingTheStrictPolicyHasNoFlagsAndWaitsForItsEvidence() {
        CapturedEvent e = ev(
                EventType.DELIVERED,
                1,
                Instant.now().minusSeconds(5),
                delivery(
                        1,
                        exact(1),
                        Fixtures.at("RV", 1),
                        List.of(
                                new EvidenceRef(SIG, EvidenceKind.SIGNATURE, "image/png"),
                                new EvidenceRef(PHOTO, EvidenceKind.PHOTO, "image/jpeg")),
                        new Recipient("J. Doe", true)));
        EventResult r = pushOne(e, Instant.now());
        assertEquals(Verdict.AWAITING_EVIDENCE, r.verdict(), "the signature and photo were never uploaded");
        assertEquals(List.of(SIG, PHOTO), r.missingEvidence());
        assertNull(r.flags());
        assertTrue(exceptionsFor(e.idempotencyKey()).isEmpty());
    }

    @Test
    void proofPolicyNotMetIsFlaggedPerRequirement() {
        List<LineOutcome> typed = List.of(
                new LineOutcome("RV-O1", "L1", new BigDecimal("4"), null, null, false),
                new LineOutcome("RV-O1", "L2", new BigDecimal("2"), null, null, true));
        CapturedEvent e = ev(
                EventType.DELIVERED,
                1,
                Instant.now().minusSeconds(5),
                delivery(1, typed, Fixtures.at("RV", 1), List.of(), null));
        EventResult r = pushOne(e, Instant.now());
        assertEquals(Verdict.APPLIED, r.verdict());
        assertEquals(
                List.of(
                        EventFlags.proof("signature"),
                        EventFlags.proof("photos"),
                        EventFlags.proof("recipient_name"),
                        EventFlags.proof("age_check"),
                        EventFlags.proof("scans")),
                r.flags());
        List<ExceptionView> x = exceptionsFor(e.idempotencyKey());
        assertEquals(1, x.size());
        assertEquals("flagged_event", x.get(0).kind());
        assertEquals(r.flags(), x.get(0).codes());
    }

    @Test
    void outsideTheGeofenceButNotWhenTheFixIsVague() {
        GeoFix far = new GeoFix(Fixtures.BASE_LAT + 2 * 0.01 + 0.01, Fixtures.BASE_LON, 10.0); // ~1.1 km off
        assertEquals(
                List.of(EventFlags.OUTSIDE_GEOFENCE),
                pushOne(
                                ev(
                                        EventType.ARRIVED,
                                        2,
                                        Instant.now().minusSeconds(5),
                                        delivery(2, null, far, null, null)),
                                Instant.now())
                        .flags());
        GeoFix vague = new GeoFix(far.lat(), far.lon(), 1500.0);
        assertNull(pushOne(
                        ev(EventType.ARRIVED, 2, Instant.now().minusSeconds(5), delivery(2, null, vague, null, null)),
                        Instant.now())
                .flags());
        // an arrival is not an outcome: flagged, but no exception
        assertTrue(server.ops().exceptions("open", 1000).items().stream().noneMatch(x -> "RV-S2".equals(x.stopId())));
    }

    @Test
    void quantitiesAndReasonCodes() {
        List<LineOutcome> lines = List.of(
                new LineOutcome("RV-O3", "L1", new BigDecimal("5"), null, "WRONG_QUANTITY", true),
                new LineOutcome("RV-O3", "L2", new BigDecimal("1"), new BigDecimal("1"), null, true));
        EventResult r = pushOne(
                ev(
                        EventType.PARTIALLY_DELIVERED,
                        3,
                        Instant.now().minusSeconds(5),
                        delivery(3, lines, null, null, null)),
                Instant.now());
        assertEquals(List.of(EventFlags.QUANTITY_EXCEEDS_ORDERED, EventFlags.DISCREPANCY_WITHOUT_REASON), r.flags());

        List<LineOutcome> badReason = List.of(
                new LineOutcome("RV-O4", "L1", new BigDecimal("3"), BigDecimal.ONE, "DOG_ATE_IT", true),
                new LineOutcome("RV-O4", "NOPE", BigDecimal.ONE, null, null, true));
        assertEquals(
                List.of(EventFlags.UNKNOWN_REASON_CODE, EventFlags.UNKNOWN_LINE, EventFlags.LINE_NOT_REPORTED),
                pushOne(
                                ev(
                                        EventType.PARTIALLY_DELIVERED,
                                        4,
                                        Instant.now().minusSeconds(5),
                                        delivery(4, badReason, null, null, null)),
                                Instant.now())
                        .flags());

        List<LineOutcome> explained = List.of(
                new LineOutcome("RV-O5", "L1", new BigDecimal("3"), BigDecimal.ONE, "DAMAGED", true),
                new LineOutcome("RV-O5", "L2", new BigDecimal("2"), null, null, true));
        assertNull(pushOne(
                        ev(
                                EventType.PARTIALLY_DELIVERED,
                                5,
                                Instant.now().minusSeconds(5),
                                delivery(5, explained, null, null, null)),
                        Instant.now())
                .flags());

        // Only the line with the discrepancy: L2 would be booked as not delivered, so a person looks first.
        List<LineOutcome> onlyTheShortLine =
                List.of(new LineOutcome("RV-O13", "L1", new BigDecimal("3"), BigDecimal.ONE, "DAMAGED", true));
        assertEquals(
                List.of(EventFlags.LINE_NOT_REPORTED),
                pushOne(
                                ev(
                                        EventType.PARTIALLY_DELIVERED,
                                        13,
                                        Instant.now().minusSeconds(5),
                                        delivery(13, onlyTheShortLine, null, null, null)),
                                Instant.now())
                        .flags());

        assertEquals(
                List.of(EventFlags.REASON_MISSING),
                pushOne(ev(EventType.FAILED, 6, Instant.now().minusSeconds(5), null), Instant.now())
                        .flags());
        assertEquals(
                List.of(EventFlags.UNKNOWN_REASON_CODE),
                pushOne(
                                ev(
                                        EventType.FAILED,
                                        6,
                                        Instant.now().minusSeconds(5),
                                        EventPayload.EMPTY.withReasonCode("ALIENS")),
                                Instant.now())
                        .flags());
    }

    @Test
    void aSkewedDeviceClockIsCorrectedAndImplausibleTimesAreFlagged() {
        Duration skew = Duration.ofHours(-3); // the device clock is three hours behind
        Instant deviceNow = Instant.now().plus(skew);
        CapturedEvent e =
                ev(EventType.DELIVERED, 7, deviceNow.minusSeconds(60), delivery(7, exact(7), null, null, null));
        PushResponse r = device.client().push(new PushRequest(deviceNow, List.of(e)));
        assertNull(
                r.results().get(0).flags(),
                "a corrected time is plausible: " + r.results().get(0));
        long offset = r.clockOffsetMillis();
        assertTrue(Math.abs(offset - Duration.ofHours(3).toMillis()) < 60_000, "offset " + offset);
        StopStateView s = state("RV-S7");
        Instant completed = s.completedAt();
        Instant expected = Instant.now().minusSeconds(60);
        assertTrue(Math.abs(Duration.between(expected, completed).toSeconds()) < 60, completed + " vs " + expected);

        // A device with a good clock that reports an event two hours ahead: flagged and clamped to receipt time.
        CapturedEvent future = ev(
                EventType.DELIVERED,
                8,
                Instant.now().plus(Duration.ofHours(2)),
                delivery(8, exact(8), null, null, null));
        assertEquals(
                List.of(EventFlags.CAPTURE_TIME_IN_FUTURE),
                pushOne(future, Instant.now()).flags());
        assertTrue(state("RV-S8").completedAt().isBefore(Instant.now().plusSeconds(1)));

        // ... or two days before the stop was released.
        CapturedEvent ancient = ev(
                EventType.DELIVERED,
                9,
                Instant.now().minus(Duration.ofDays(2)),
                delivery(9, exact(9), null, null, null));
        assertEquals(
                List.of(EventFlags.CAPTURE_TIME_BEFORE_RELEASE),
                pushOne(ancient, Instant.now()).flags());
        assertEquals(1, exceptionsFor(ancient.idempotencyKey()).size());
    }

    @Test
    void contradictionsAndEventsAfterCompletionAreExceptionsNotState() {
        Instant t = Instant.now().minusSeconds(300);
        CapturedEvent delivered = ev(EventType.DELIVERED, 10, t, delivery(10, exact(10), null, null, null));
        CapturedEvent failed =
                ev(EventType.FAILED, 10, t.plusSeconds(10), EventPayload.EMPTY.withReasonCode("NO_ONE_HOME"));
        // arrival order reversed on purpose: the failure arrives first
        pushOne(failed, Instant.now());
        assertEquals("failed", state("RV-S10").status());
        pushOne(delivered, Instant.now());
        StopStateView s = state("RV-S10");
        assertEquals("delivered", s.status());
        assertEquals(delivered.idempotencyKey(), s.outcomeEventKey());
        assertEquals(List.of("contradictory_outcomes@1"), s.anomalies());
        assertTrue(server.ops().exceptions("open", 1000).items().stream()
                .anyMatch(x -> x.kind().equals("contradiction") && "RV-S10".equals(x.stopId())));

        // A failure, then a successful re-attempt: no anomaly.
        pushOne(ev(EventType.FAILED, 11, t, EventPayload.EMPTY.withReasonCode("NO_ONE_HOME")), Instant.now());
        CapturedEvent again = new CapturedEvent(
                UUID.randomUUID().toString(), ++seq, EventType.ARRIVED, "RV-S11", 2, t.plusSeconds(3600), null);
        pushOne(again, Instant.now());
        assertEquals("reattempt", state("RV-S11").status());
        CapturedEvent done = new CapturedEvent(
                UUID.randomUUID().toString(),
                ++seq,
                EventType.DELIVERED,
                "RV-S11",
                2,
                t.plusSeconds(3700),
                delivery(11, exact(11), null, null, null));
        pushOne(done, Instant.now());
        assertEquals("delivered", state("RV-S11").status());
        assertEquals(2, state("RV-S11").attempt());
        assertEquals(List.of(), state("RV-S11").anomalies());
    }

    @Test
    void opsResolvesAnExceptionOnceAndNeedsTheOpsScope() {
        CapturedEvent e = ev(EventType.FAILED, 12, Instant.now().minusSeconds(5), null);
        pushOne(e, Instant.now());
        ExceptionView x = exceptionsFor(e.idempotencyKey()).get(0);
        PodsyncClientException forbidden = assertThrows(
                PodsyncClientException.class, () -> server.erp().resolveException(x.id(), "accepted", null));
        assertEquals(403, forbidden.status());
        assertEquals(
                400,
                assertThrows(
                                PodsyncClientException.class,
                                () -> server.ops().resolveException(x.id(), "whatever", null))
                        .status());
        ExceptionView resolved = server.ops().resolveException(x.id(), "accepted", "driver confirmed by phone");
        assertEquals("resolved", resolved.status());
        assertEquals("ops", resolved.resolvedBy());
        assertEquals(
                409,
                assertThrows(
                                PodsyncClientException.class,
                                () -> server.ops().resolveException(x.id(), "dismissed", null))
                        .status());
        assertTrue(exceptionsFor(e.idempotencyKey()).isEmpty());
        assertEquals(
                404,
                assertThrows(
                                PodsyncClientException.class,
                                () -> server.ops().resolveException(999_999, "accepted", null))
                        .status());
    }

    private static StopStateView state(String stopId) {
        return server.stopState("RV", stopId);
    }
}
