package io.podsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
    private static CapturedEvent event(BigDecimal qty, String note) {
        return new CapturedEvent(
                "k",
                1L,
                EventType.DELIVERED,
                "S1",
                1,
                Instant.parse("2026-11-23T10:00:00Z"),
                EventPayload.EMPTY
                        .withLines(List.of(new LineOutcome("O", "L", qty, null, null, true)))
                        .withNote(note));
    }

    @Test
    void recordsAndTreesOfTheSameContentAgree() {
        CapturedEvent e = event(new BigDecimal("4.00"), "x");
        String fromRecord = CanonicalJson.of(e);
        JsonNode reordered = ProtocolJson.read("""
                {"payload":{"note":"x","lines":[{"scanned":true,"delivered":4,"lineId":"L","orderId":"O"}]},
                 "type":"delivered","stopId":"S1","seq":1,"idempotencyKey":"k","capturedAt":"2026-11-23T10:00:00Z",
                 "attempt":1.0}""", JsonNode.class);
        assertEquals(fromRecord, CanonicalJson.of(reordered));
        assertEquals(
                CanonicalJson.fingerprint(e), CanonicalJson.canonical(reordered).fingerprint());
    }

    @Test
    void numberSpellingDoesNotMatterButValuesDo() {
        assertEquals(
                CanonicalJson.fingerprint(event(new BigDecimal("4"), null)),
                CanonicalJson.fingerprint(event(new BigDecimal("4.000"), null)));
        assertEquals(
                CanonicalJson.fingerprint(event(new BigDecimal("400"), null)),
                CanonicalJson.fingerprint(event(new BigDecimal("4E+2"), null)));
        assertNotEquals(
                CanonicalJson.fingerprint(event(new BigDecimal("4"), null)),
                CanonicalJson.fingerprint(event(new BigDecimal("4.1"), null)));
        assertNotEquals(
                CanonicalJson.fingerprint(event(new BigDecimal("4"), "a")),
                CanonicalJson.fingerprint(event(new BigDecimal("4"), "b")));
    }

    /** A huge exponent keeps its exponent form: expanding 1e5000000 to five million digits took seconds per event. */
    @Test
    void hugeExponentsStayShortAndStillCompareEqual() {
        JsonNode a = ProtocolJson.read("{\"q\":1e5000000,\"r\":10E+4999999}", JsonNode.class);
        String text = CanonicalJson.of(a);
        assertEquals("{\"q\":1E+5000000,\"r\":1E+5000000}", text);
        assertEquals(text, CanonicalJson.of(ProtocolJson.read("{\"r\":1.0e5000000,\"q\":1e5000000}", JsonNode.class)));
        assertEquals("{\"q\":1000}", CanonicalJson.of(ProtocolJson.read("{\"q\":1.000e3}", JsonNode.class)));
        CapturedEvent e = event(new BigDecimal("1e999999999"), null);
        assertEquals(CanonicalJson.of(e), CanonicalJson.of(ProtocolJson.tree(e)));
    }

    /** An event with a refused quantity, as an app sends it. */
    private static CapturedEvent partial() {
        return new CapturedEvent(
                "k",
                1L,
                EventType.PARTIALLY_DELIVERED,
                "S1",
                1,
                Instant.parse("2026-11-23T10:00:00Z"),
                EventPayload.EMPTY.withLines(
                        List.of(new LineOutcome("O", "L", new BigDecimal("3"), BigDecimal.ONE, "DAMAGED", true))));
    }

    @Test
    void theRefusedQuantityHasOneNameAndTheOldOneStillReadsTheSame() {
        CapturedEvent read = ProtocolJson.read("""
                {"idempotencyKey":"k","seq":1,"type":"partially_delivered","stopId":"S1",
                 "capturedAt":"2026-11-23T10:00:00Z","payload":{"lines":[{"orderId":"O","lineId":"L","delivered":3,
                 "rejected":1,"reasonCode":"DAMAGED","scanned":true}]}}""", CapturedEvent.class);
        assertEquals(CanonicalJson.of(partial().normalized()), CanonicalJson.of(read.normalized()));
        assertEquals(true, CanonicalJson.of(read.normalized()).contains("\"refused\":1"));
    }

    /**
     * Events stored under protocol 1.0 keep the fingerprint of the 1.0 name ({@code rejected}); the value below is what
     * 1.0 computed for this event. A resend under the new name must still be recognized as the same content.
     */
    @Test
    void theFingerprintOfThe10NameIsKnown() {
        CanonicalJson.Canonical c = CanonicalJson.canonical(partial().normalized());
        assertEquals(
                "b6c15dadf576c92c244f52a7511d94225542a308e5e1d5f5040e44aa3975d219", CanonicalJson.fingerprintV10(c));
        assertNotEquals(c.fingerprint(), CanonicalJson.fingerprintV10(c));
        CanonicalJson.Canonical noRefusal =
                CanonicalJson.canonical(event(new BigDecimal("4"), null).normalized());
        assertEquals(noRefusal.fingerprint(), CanonicalJson.fingerprintV10(noRefusal));
    }
}
