package io.podsync.server;

import static io.podsync.server.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.CanonicalJson;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import io.podsync.storage.EventRow;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the ERP receives, field by field: the corrected capture time beside the device's, one name for refused
 * quantities (the old one still read), reason codes in any case sent on in their canonical form, and evidence URLs
 * that point where the ERP reaches the server.
 */
class ErpMessageTest {
    static final String SECRET = ErpForwardingTest.SECRET;

    @TempDir
    static Path dir;

    static ErpReceiver erp;
    static TestServer server;
    static int run = 0;

    @BeforeAll
    static void start() throws Exception {
        erp = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        server = TestServer.start(dir.resolve("server"), settings(Map.of()));
    }

    private static Map<String, String> settings(Map<String, String> more) {
        Map<String, String> c = TestServer.withErp(Map.of(), erp.url(), SECRET);
        c.put("podsync.erp.reason-map.DAMAGED", "Z01");
        c.putAll(more);
        return c;
    }

    @AfterAll
    static void stop() {
        server.close();
        erp.close();
    }

    /** A fresh one-stop route and a device of its driver; the stop is {@code <route>-S1}, its order {@code -O1}. */
    private static TestServer.Device route(TestServer s, String routeId) {
        s.erp().releaseRoute(routeId, Fixtures.route(routeId, "D-" + routeId, 1));
        return s.device("D-" + routeId);
    }

    private static String next() {
        return "RX" + (++run);
    }

    private static JsonNode awaitMessage(String stopId) throws InterruptedException {
        await(() -> messages(stopId).size() == 1, "the message for " + stopId);
        return messages(stopId).get(0).data();
    }

    private static List<Delivery> messages(String stopId) {
        return erp.deliveries().stream()
                .filter(d -> ("stops/" + stopId).equals(d.subject()))
                .toList();
    }

    @Test
    void aPhoneThreeHoursBehindGetsItsCorrectedCaptureTimeBesideItsOwn() throws Exception {
        String r = next();
        TestServer.Device d = route(server, r);
        Instant deviceNow = Instant.now().minus(Duration.ofHours(3));
        CapturedEvent e = Fixtures.event(
                UUID.randomUUID().toString(),
                1,
                EventType.DELIVERED,
                r + "-S1",
                deviceNow.minusSeconds(10),
                Fixtures.fullDelivery(r + "-O1"));
        d.client().push(new PushRequest(deviceNow, List.of(e)));
        JsonNode data = awaitMessage(r + "-S1");
        assertEquals(e.capturedAt(), Instant.parse(data.get("capturedAt").asText()), "the device's own time");
        long corrected = Instant.parse(data.get("correctedAt").asText()).toEpochMilli();
        long expected = Instant.now().minusSeconds(10).toEpochMilli();
        assertTrue(Math.abs(corrected - expected) < 60_000, "the server's clock: " + data.get("correctedAt"));
    }

    @Test
    void refusedQuantitiesHaveOneNameAndTheOldNameIsStillRead() throws Exception {
        String r = next();
        TestServer.Device d = route(server, r);
        String now = Instant.now().toString();
        String oldName = """
                {"sentAt":"%s","events":[{"idempotencyKey":"%s","seq":1,"type":"partially_delivered","stopId":"%s",
                 "capturedAt":"%s","payload":{"lines":[
                   {"orderId":"%s","lineId":"L1","delivered":3,"rejected":1,"reasonCode":"DAMAGED"},
                   {"orderId":"%s","lineId":"L2","delivered":2}]}}]}""".formatted(now, UUID.randomUUID(), r + "-S1", now, r + "-O1", r + "-O1");
        JsonNode res = ProtocolJson.read(
                server.postJson("/v1/sync/push", oldName, d.token()).body(), JsonNode.class);
        assertEquals("applied", res.get("results").get(0).get("verdict").asText(), res.toString());
        JsonNode line =
                awaitMessage(r + "-S1").get("orders").get(0).get("lines").get(0);
        assertEquals(0, BigDecimal.ONE.compareTo(line.get("refused").decimalValue()));

        String both = oldName.replace("\"rejected\":1", "\"rejected\":1,\"refused\":2")
                .replace("\"seq\":1", "\"seq\":2")
                .replaceFirst("\"idempotencyKey\":\"[^\"]+\"", "\"idempotencyKey\":\"" + UUID.randomUUID() + "\"");
        JsonNode twice = ProtocolJson.read(
                        server.postJson("/v1/sync/push", both, d.token()).body(), JsonNode.class)
                .get("results")
                .get(0);
        assertEquals("rejected", twice.get("verdict").asText());
        assertEquals("inconsistent", twice.get("reason").asText());
        assertEquals("events[0].payload.lines[0].rejected", twice.get("field").asText());
    }

    /** An event stored before 1.1 has the fingerprint of the old name; a resend under the new name is a duplicate. */
    @Test
    void anEventStoredUnderTheOldNameIsADuplicateWhenResentUnderTheNewOne() {
        String r = next();
        TestServer.Device d = route(server, r);
        CapturedEvent e = Fixtures.event(
                "k-" + r,
                1,
                EventType.PARTIALLY_DELIVERED,
                r + "-S1",
                Instant.now(),
                EventPayload.EMPTY.withLines(List.of(
                        new LineOutcome(r + "-O1", "L1", new BigDecimal("3"), BigDecimal.ONE, "DAMAGED", true))));
        CanonicalJson.Canonical c = CanonicalJson.canonical(e.normalized());
        long now = System.currentTimeMillis();
        server.server()
                .database()
                .write(tx -> tx.events()
                        .insertAll(List.of(EventRow.builder()
                                .deviceId(d.id())
                                .seq(1)
                                .idempotencyKey(e.idempotencyKey())
                                .driverId("D-" + r)
                                .stopId(e.stopId())
                                .routeId(r)
                                .type(e.type().name())
                                .attempt(1)
                                .capturedAt(now)
                                .correctedAt(now)
                                .receivedAt(now)
                                .verdict(Verdict.APPLIED.name())
                                .flags("")
                                .fingerprint(CanonicalJson.fingerprintV10(c))
                                .feedSeq( // as protocol 1.0 stored it
                                        0)
                                .payloadJson(c.text().replace(",\"refused\":", ",\"rejected\":"))
                                .build())));
        EventResult again = d.client()
                .push(new PushRequest(Instant.now(), List.of(e)))
                .results()
                .get(0);
        assertEquals(Verdict.DUPLICATE, again.verdict());
    }

    @Test
    void reasonCodesMatchInAnyCaseAndTravelInTheirCanonicalForm() throws Exception {
        String r = next();
        TestServer.Device d = route(server, r);
        CapturedEvent partial = Fixtures.event(
                UUID.randomUUID().toString(),
                1,
                EventType.PARTIALLY_DELIVERED,
                r + "-S1",
                Instant.now(),
                EventPayload.EMPTY.withLines(List.of(
                        new LineOutcome(r + "-O1", "L1", new BigDecimal("3"), BigDecimal.ONE, "damaged", true),
                        new LineOutcome(r + "-O1", "L2", new BigDecimal("2"), null, null, true))));
        EventResult res = d.client()
                .push(new PushRequest(Instant.now(), List.of(partial)))
                .results()
                .get(0);
        assertNull(res.flags(), "damaged is DAMAGED, not an unknown reason code");
        JsonNode line =
                awaitMessage(r + "-S1").get("orders").get(0).get("lines").get(0);
        assertEquals("DAMAGED", line.get("reasonCode").asText());
        assertEquals("Z01", line.get("erpReasonCode").asText());

        String f = next();
        TestServer.Device other = route(server, f);
        other.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                UUID.randomUUID().toString(),
                                1,
                                EventType.FAILED,
                                f + "-S1",
                                Instant.now(),
                                EventPayload.EMPTY.withReasonCode("Refused")))));
        JsonNode failed = awaitMessage(f + "-S1");
        assertEquals("REFUSED", failed.get("reasonCode").asText(), "a terminal reason in any case: final at once");
        assertTrue(failed.get("finalOutcome").asBoolean());
        assertEquals(
                0,
                new BigDecimal("4")
                        .compareTo(failed.get("orders")
                                .get(0)
                                .get("lines")
                                .get(0)
                                .get("refused")
                                .decimalValue()));
    }

    /** Evidence URLs start where the ERP reaches the server: its own request's base, or the configured public URL. */
    @Test
    void evidenceUrlsPointWhereTheErpReachesTheServer() throws Exception {
        String r = next();
        assertEquals(
                "http://127.0.0.1:" + server.server().port() + "/v1/artifacts/" + deliverWithSignature(server, r),
                awaitMessage(r + "-S1").get("evidence").get(0).get("url").asText());

        try (TestServer configured = TestServer.start(
                dir.resolve("configured"), settings(Map.of("podsync.public-url", "https://pod.example.com/")))) {
            String c = next();
            assertEquals(
                    "https://pod.example.com/v1/artifacts/" + deliverWithSignature(configured, c),
                    awaitMessage(c + "-S1").get("evidence").get(0).get("url").asText());
        }
    }

    /** Uploads a signature and delivers stop 1 of a new route with it; returns the signature's hash. */
    private static String deliverWithSignature(TestServer s, String routeId) {
        TestServer.Device d = route(s, routeId);
        byte[] signature = EvidenceTest.png(2_000, run);
        d.client().upload(signature, "image/png", EvidenceKind.SIGNATURE, 1 << 20, 3);
        String sha = EvidenceTest.sha(signature);
        d.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                UUID.randomUUID().toString(),
                                1,
                                EventType.DELIVERED,
                                routeId + "-S1",
                                Instant.now(),
                                Fixtures.fullDelivery(routeId + "-O1")
                                        .withEvidence(
                                                List.of(new EvidenceRef(sha, EvidenceKind.SIGNATURE, "image/png")))))));
        return sha;
    }
}
