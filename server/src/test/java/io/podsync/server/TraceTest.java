package io.podsync.server;

import static io.podsync.server.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.Trace;
import io.podsync.protocol.TraceEntry;
import io.podsync.protocol.TraceEntryKind;
import io.podsync.protocol.TraceGapKind;
import io.podsync.protocol.TraceKey;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.http.ProblemException;
import io.podsync.server.ops.TraceService;
import io.podsync.simulator.erp.ErpReceiver;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trace of one order through release, amendment, pulls and pushes from two devices, a cut and resumed tus upload,
 * an exception and its resolution, an ERP outage and a replay: every step present and in order, the missing links named
 * while they are missing, over real HTTP on a real database. Also the key and filter checks and who may read it.
 */
class TraceTest {
    static final String SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("trace-test-secret-0123456789".getBytes());

    static ErpReceiver erp;
    static TestServer server;
    static String ops;
    static TestServer.Device a;
    static TestServer.Device b;
    static String deliveryKey;
    static String photoSha;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        erp = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        alsoClose.add(erp);
        server = TestServer.start(dir, TestServer.withErp(db, erp.url(), SECRET));
        ops = server.ops().authenticate().accessToken();
        return server;
    });

    @Test
    void theTraceOfAnOrderHasEveryStepInOrderAndNamesTheMissingLinks() throws Exception {
        // released by the ERP with its own correlation id, pulled by device a; amended, pulled by a and b
        release("TR", Fixtures.route("TR", "D-TR", 2), "erp-release-4711");
        a = server.device("D-TR");
        b = server.device("D-TR");
        a.client().pull(null, 100);
        release("TR", Fixtures.route("TR", "D-TR", 3), "erp-amend-4711");
        a.client().pull(null, 100);
        b.client().pull(null, 100);

        // a arrives; b delivers with a photo, outside the geofence (flagged: an exception for people)
        a.client().push(new PushRequest(Instant.now(), List.of(Fixtures.arrived(1, "TR-S1", Instant.now()))));
        byte[] photo = EvidenceTest.jpeg(200_000, 47);
        photoSha = EvidenceTest.sha(photo);
        deliveryKey = UUID.randomUUID().toString();
        CapturedEvent delivered = Fixtures.event(
                deliveryKey,
                1,
                EventType.DELIVERED,
                "TR-S1",
                Instant.now(),
                Fixtures.fullDelivery("TR-O1")
                        .withLocation(new GeoFix(Fixtures.BASE_LAT + 1, Fixtures.BASE_LON, 5.0))
                        .withEvidence(List.of(new EvidenceRef(photoSha, EvidenceKind.PHOTO, "image/jpeg"))));
        var result = b.client()
                .push(new PushRequest(Instant.now(), List.of(delivered)))
                .results()
                .get(0);
        assertEquals(Verdict.AWAITING_EVIDENCE, result.verdict());
        assertTrue(result.flags().contains(EventFlags.OUTSIDE_GEOFENCE), result.toString());

        Trace before = trace("orderId=TR-O1");
        assertFalse(before.complete());
        assertEquals(
                Set.of(TraceGapKind.ARTIFACT_MISSING, TraceGapKind.EXCEPTION_OPEN),
                kindsOf(before.missing()),
                before.missing().toString());
        assertEquals(photoSha, gap(before, TraceGapKind.ARTIFACT_MISSING).sha256());
        assertEquals(deliveryKey, gap(before, TraceGapKind.ARTIFACT_MISSING).idempotencyKey());

        // the upload is cut mid-chunk, then resumed by the reference client
        String uploadId = ProtocolJson.read(
                        server.postJson(
                                        "/v1/uploads",
                                        "{\"sha256\":\"%s\",\"size\":%d,\"mediaType\":\"image/jpeg\",\"kind\":\"photo\"}"
                                                .formatted(photoSha, photo.length),
                                        b.token())
                                .body(),
                        JsonNode.class)
                .get("uploadId")
                .asText();
        HttpRequest cut = HttpRequest.newBuilder(server.uri().resolve("/v1/uploads/" + uploadId))
                .header("Authorization", "Bearer " + b.token())
                .header("Content-Type", "application/offset+octet-stream")
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0")
                .method("PATCH", new EvidenceTest.FailingPublisher(photo, 50_000))
                .build();
        assertThrows(Exception.class, () -> HttpClient.newHttpClient().send(cut, HttpResponse.BodyHandlers.ofString()));
        assertTrue(b.client()
                .upload(photo, "image/jpeg", EvidenceKind.PHOTO, 64 * 1024, 5)
                .isStored());

        Trace uploaded = trace("orderId=TR-O1");
        assertEquals(
                Set.of(TraceGapKind.EXCEPTION_OPEN, TraceGapKind.NOT_CONFIRMED),
                kindsOf(uploaded.missing()),
                "the photo is in; the delivery waits for a person, so nothing went to the ERP: " + uploaded.missing());

        // the ERP is down: the confirmation written when operations accept the flagged delivery dies, is replayed
        erp.behavior().failNext(5, 500);
        long exceptionId = server.ops().exceptions("open", 100).items().stream()
                .filter(x -> deliveryKey.equals(x.idempotencyKey()))
                .findFirst()
                .orElseThrow()
                .id();
        server.ops().resolveException(exceptionId, "accepted", "customer confirmed the drop-off by phone");
        await(() -> outboxOf("dead", "TR-S1").size() == 1, "a dead confirmation");
        Trace outage = trace("orderId=TR-O1");
        assertEquals(
                Set.of(TraceGapKind.NOT_ACKNOWLEDGED),
                kindsOf(outage.missing()),
                outage.missing().toString());
        long messageId = outboxOf("dead", "TR-S1").get(0);
        assertEquals(
                200,
                server.send("POST", "/v1/ops/outbox/" + messageId + "/replay", "application/json", "{}", ops)
                        .statusCode());
        await(() -> outboxOf("delivered", "TR-S1").size() == 1, "the replayed confirmation");

        Trace t = trace("orderId=TR-O1");
        assertEquals(List.of("TR"), t.routeIds());
        assertEquals(List.of("TR-S1"), t.stopIds());
        List<TraceEntryKind> expected = new ArrayList<>(List.of(
                TraceEntryKind.ROUTE_VERSION,
                TraceEntryKind.ROUTE_PULLED,
                TraceEntryKind.ROUTE_VERSION,
                TraceEntryKind.ROUTE_PULLED,
                TraceEntryKind.ROUTE_PULLED,
                TraceEntryKind.EVENT,
                TraceEntryKind.EVENT,
                TraceEntryKind.EXCEPTION_OPENED,
                TraceEntryKind.UPLOAD_DECLARED,
                TraceEntryKind.ARTIFACT_STORED,
                TraceEntryKind.EXCEPTION_RESOLVED,
                TraceEntryKind.OUTBOX_MESSAGE));
        expected.addAll(List.of(
                TraceEntryKind.DELIVERY_ATTEMPT,
                TraceEntryKind.DELIVERY_ATTEMPT,
                TraceEntryKind.DELIVERY_ATTEMPT,
                TraceEntryKind.DELIVERY_ATTEMPT,
                TraceEntryKind.DELIVERY_ATTEMPT,
                TraceEntryKind.OPERATOR_ACTION,
                TraceEntryKind.ERP_ACKNOWLEDGED));
        assertEquals(expected, t.entries().stream().map(TraceEntry::kind).toList(), describe(t));
        for (int i = 1; i < t.entries().size(); i++) {
            assertFalse(t.entries().get(i).at().isBefore(t.entries().get(i - 1).at()), describe(t));
        }
        assertTrue(t.complete(), t.missing().toString());
        assertFalse(t.truncated());

        List<TraceEntry> versions = of(t, TraceEntryKind.ROUTE_VERSION);
        assertEquals("erp", versions.get(0).actor());
        assertEquals("erp-release-4711", versions.get(0).correlationId());
        assertEquals(1L, versions.get(0).routeVersion());
        assertEquals("erp-amend-4711", versions.get(1).correlationId());
        assertTrue(
                versions.get(1).summary().contains("amended"), versions.get(1).summary());
        List<TraceEntry> pulls = of(t, TraceEntryKind.ROUTE_PULLED);
        assertEquals(
                List.of(a.id(), a.id(), b.id()),
                pulls.stream().map(TraceEntry::deviceId).toList());
        assertEquals(
                List.of(1L, 2L, 2L),
                pulls.stream().map(TraceEntry::routeVersion).toList());
        List<TraceEntry> events = of(t, TraceEntryKind.EVENT);
        assertEquals(
                List.of(a.id(), b.id()),
                events.stream().map(TraceEntry::deviceId).toList());
        TraceEntry delivery = events.get(1);
        assertEquals(deliveryKey, delivery.idempotencyKey());
        assertEquals(Verdict.APPLIED, delivery.verdict(), "applied once its photo arrived");
        assertTrue(delivery.flags().contains(EventFlags.OUTSIDE_GEOFENCE));
        assertNotNull(delivery.capturedAt());
        assertNotNull(delivery.receivedAt());
        assertNotNull(delivery.correlationId());
        assertEquals(photoSha, of(t, TraceEntryKind.ARTIFACT_STORED).get(0).sha256());
        assertEquals(b.id(), of(t, TraceEntryKind.UPLOAD_DECLARED).get(0).deviceId());
        TraceEntry resolved = of(t, TraceEntryKind.EXCEPTION_RESOLVED).get(0);
        assertEquals(exceptionId, resolved.exceptionId());
        assertEquals("ops", resolved.actor());
        assertEquals("accepted", resolved.status());
        assertTrue(resolved.summary().contains("customer confirmed the drop-off by phone"), resolved.summary());
        assertEquals(
                List.of(500, 500, 500, 500, 500),
                of(t, TraceEntryKind.DELIVERY_ATTEMPT).stream()
                        .map(TraceEntry::statusCode)
                        .toList());
        TraceEntry replay = of(t, TraceEntryKind.OPERATOR_ACTION).get(0);
        assertEquals("ops", replay.actor());
        assertEquals(messageId, replay.outboxId());
        assertEquals("replay", replay.status());
        TraceEntry ack = of(t, TraceEntryKind.ERP_ACKNOWLEDGED).get(0);
        assertEquals(200, ack.statusCode());
        assertEquals(messageId, ack.outboxId());
        assertEquals(
                of(t, TraceEntryKind.OUTBOX_MESSAGE).get(0).messageId(),
                ack.messageId(),
                "the ids link to the message");

        // every other way in leads to the same stop's history
        assertSame(t, trace("stopId=TR-S1"));
        assertSame(t, trace("idempotencyKey=" + deliveryKey));
        assertSame(t, trace("sha256=" + photoSha));
        assertSame(t, trace("correlationId=" + delivery.correlationId()));
        Trace route = trace("routeId=TR");
        assertEquals(List.of("TR-S1", "TR-S2", "TR-S3"), route.stopIds());
        assertEquals(t.entries().size(), route.entries().size(), "the other stops have no history yet");
        Trace release = trace("correlationId=erp-release-4711");
        assertEquals(List.of("TR"), release.routeIds());
        assertEquals(List.of("TR-S1", "TR-S2", "TR-S3"), release.stopIds());

        // bounded: the earliest steps, and the answer says it cut
        Trace cutShort = trace("orderId=TR-O1&limit=3");
        assertTrue(cutShort.truncated());
        assertEquals(3, cutShort.entries().size());
        assertEquals(t.entries().subList(0, 3), cutShort.entries());

        // the console's Java entry point gives the same records, to ops only
        TraceService service = new TraceService(server.server().database(), true);
        Trace viaJava = service.trace(new Principal("ops", Set.of(Scope.OPS), null), TraceKey.ORDER_ID, "TR-O1", 1000);
        assertEquals(t, viaJava);
        ProblemException refused = assertThrows(
                ProblemException.class,
                () -> service.trace(
                        new Principal("D-TR", Set.of(Scope.DRIVER), a.id()), TraceKey.ORDER_ID, "TR-O1", 10));
        assertEquals(403, refused.status());

        // an order nobody knows: an empty, complete trace
        Trace none = trace("orderId=NO-SUCH-ORDER");
        assertEquals(List.of(), none.entries());
        assertTrue(none.complete());
    }

    @Test
    void anEndpointRecoveredByAPersonShowsInTheTraceOfItsMessages() throws Exception {
        server.erp().releaseRoute("TR-REC", Fixtures.route("TR-REC", "D-REC", 1));
        TestServer.Device d = server.device("D-REC");
        erp.behavior().failNext(5, 500);
        d.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(Fixtures.event(
                                UUID.randomUUID().toString(),
                                1,
                                EventType.DELIVERED,
                                "TR-REC-S1",
                                Instant.now(),
                                Fixtures.fullDelivery("TR-REC-O1")))));
        await(() -> outboxOf("dead", "TR-REC-S1").size() == 1, "a dead confirmation");
        Instant since = Instant.now().minusSeconds(3600);
        HttpResponse<String> recovered =
                server.postJson("/v1/ops/erp-endpoints/erp/recover", "{\"since\":\"" + since + "\"}", ops);
        assertEquals(200, recovered.statusCode(), recovered.body());
        await(() -> outboxOf("delivered", "TR-REC-S1").size() == 1, "the recovered confirmation");

        Trace t = trace("stopId=TR-REC-S1");
        TraceEntry action = of(t, TraceEntryKind.OPERATOR_ACTION).get(0);
        assertEquals("recover", action.status());
        assertEquals("ops", action.actor());
        assertTrue(action.summary().contains("endpoint erp"), action.summary());
        List<TraceEntryKind> tail = t.entries().stream()
                .map(TraceEntry::kind)
                .filter(k -> k == TraceEntryKind.OPERATOR_ACTION || k == TraceEntryKind.ERP_ACKNOWLEDGED)
                .toList();
        assertEquals(List.of(TraceEntryKind.OPERATOR_ACTION, TraceEntryKind.ERP_ACKNOWLEDGED), tail, describe(t));
        // the device delivered without ever pulling the route: acknowledged, but the dispatch link is missing
        assertEquals(Set.of(TraceGapKind.NOT_DISPATCHED), kindsOf(t.missing()));
        assertEquals(1L, gap(t, TraceGapKind.NOT_DISPATCHED).routeVersion());
    }

    @Test
    void aKeyThatLeadsToMoreThanAThousandStopsIsCutAndSaysSo() throws Exception {
        // an ERP that sends one correlation id with every release of its night run
        for (int i = 1; i <= 3; i++) {
            release("TR-NIGHT-" + i, Fixtures.route("TR-NIGHT-" + i, "D-NIGHT", 500), "erp-night-run");
        }
        Trace t = trace("correlationId=erp-night-run&limit=10");
        assertTrue(t.truncated());
        assertEquals(1000, t.stopIds().size());
        assertEquals(3, t.routeIds().size());
        assertEquals(3, of(t, TraceEntryKind.ROUTE_VERSION).size(), describe(t));
        Trace one = trace("routeId=TR-NIGHT-1");
        assertFalse(one.truncated(), "500 stops and 1 step: not cut");
        assertEquals(500, one.stopIds().size());
    }

    /** The outbox ids of a stop's messages in this status. */
    private static List<Long> outboxOf(String status, String stopId) {
        List<Long> ids = new ArrayList<>();
        server.outbox("?status=" + status).get("items").forEach(m -> {
            if (stopId.equals(m.path("stopId").asText())) {
                ids.add(m.get("id").asLong());
            }
        });
        return ids;
    }

    @Test
    void exactlyOneWellFormedKeyAndNothingElse() {
        String[][] cases = {
            // query, code, field
            {"", "required", null},
            {"limit=10", "required", null},
            {"orderId=O-1&stopId=S-1", "inconsistent", "stopId"},
            {"routeId=R&correlationId=c", "inconsistent", "correlationId"},
            {"order=O-1", "unknown_parameter", "order"},
            {"orderId=O-1&orderId=O-2", "repeated_parameter", "orderId"},
            {"orderId=", "required", "orderId"},
            {"sha256=abc", "invalid_format", "sha256"},
            {"sha256=" + "AB".repeat(32), "invalid_format", "sha256"},
            {"correlationId=" + enc("a b"), "invalid_format", "correlationId"},
            {"stopId=" + "x".repeat(200), null, "stopId"},
            {"orderId=O-1&limit=0", "out_of_range", "limit"},
            {"orderId=O-1&limit=5001", "out_of_range", "limit"},
            {"orderId=O-1&limit=many", "invalid_format", "limit"},
        };
        for (String[] c : cases) {
            HttpResponse<String> res = server.send("GET", "/v1/ops/trace?" + c[0], null, null, ops);
            assertEquals(400, res.statusCode(), c[0] + ": " + res.body());
            assertTrue(res.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
            JsonNode p = ProtocolJson.read(res.body(), JsonNode.class);
            if (c[1] != null) {
                assertEquals(c[1], p.get("code").asText(), c[0] + ": " + res.body());
            }
            assertEquals(c[2], p.hasNonNull("field") ? p.get("field").asText() : null, c[0] + ": " + res.body());
        }
    }

    @Test
    void onlyOperationsReadTraces() {
        server.erp().releaseRoute("TR-AUTH", Fixtures.route("TR-AUTH", "D-AUTH", 1));
        TestServer.Device driver = server.device("D-AUTH");
        String erpToken = server.erp().authenticate().accessToken();
        String path = "/v1/ops/trace?routeId=TR-AUTH";
        assertEquals(403, server.send("GET", path, null, null, driver.token()).statusCode(), "a driver");
        assertEquals(403, server.send("GET", path, null, null, erpToken).statusCode(), "the ERP");
        assertEquals(401, server.send("GET", path, null, null, null).statusCode(), "nobody");
        assertEquals(200, server.send("GET", path, null, null, ops).statusCode());
    }

    private static void release(String routeId, RouteRelease release, String correlationId) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(server.uri().resolve("/v1/routes/" + routeId))
                .header("Authorization", "Bearer " + server.erp().authenticate().accessToken())
                .header("Content-Type", "application/json")
                .header("X-Correlation-Id", correlationId)
                .PUT(HttpRequest.BodyPublishers.ofString(ProtocolJson.toString(release)))
                .build();
        HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
        assertTrue(res.statusCode() == 200 || res.statusCode() == 201, res.body());
    }

    private static Trace trace(String query) {
        HttpResponse<String> res = server.send("GET", "/v1/ops/trace?" + query, null, null, ops);
        assertEquals(200, res.statusCode(), query + ": " + res.body());
        return ProtocolJson.read(res.body(), Trace.class);
    }

    private static void assertSame(Trace expected, Trace actual) {
        assertEquals(expected.entries(), actual.entries(), actual.by() + "=" + actual.value());
        assertEquals(expected.stopIds(), actual.stopIds());
    }

    private static List<TraceEntry> of(Trace t, TraceEntryKind kind) {
        return t.entries().stream().filter(e -> e.kind() == kind).toList();
    }

    private static Set<TraceGapKind> kindsOf(List<io.podsync.protocol.TraceGap> gaps) {
        return Set.copyOf(gaps.stream().map(io.podsync.protocol.TraceGap::kind).toList());
    }

    private static io.podsync.protocol.TraceGap gap(Trace t, TraceGapKind kind) {
        return t.missing().stream().filter(g -> g.kind() == kind).findFirst().orElseThrow();
    }

    private static String describe(Trace t) {
        StringBuilder s = new StringBuilder();
        t.entries()
                .forEach(e -> s.append('\n')
                        .append(e.at())
                        .append(' ')
                        .append(e.kind().wire())
                        .append(": ")
                        .append(e.summary()));
        return s.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
