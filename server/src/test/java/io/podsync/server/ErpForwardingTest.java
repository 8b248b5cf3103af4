package io.podsync.server;

import static io.podsync.server.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventFlags;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Confirmations reach the reference ERP receiver exactly once in effect, signed, in order, through failures. */
class ErpForwardingTest {
    static final String SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("erp-test-secret-0123456789ab".getBytes());
    static final String OLD_SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("erp-old-secret-0123456789abc".getBytes());

    @TempDir
    Path dir;

    ErpReceiver erp;
    TestServer server;
    Map<String, String> db;

    /** The database of a test's servers (a restarted server gets the same): SQLite under the test's directory, or PostgreSQL with {@link OnPostgres}. */
    Map<String, String> database() {
        return SuiteServer.database(getClass());
    }

    @BeforeEach
    void start() throws Exception {
        db = database();
        erp = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        server = startServer(List.of(SECRET));
    }

    @AfterEach
    void stop() {
        server.close();
        erp.close();
    }

    private TestServer startServer(List<String> secrets) {
        return startServer(secrets, erp.url());
    }

    private TestServer startServer(List<String> secrets, URI url) {
        Map<String, String> c = new HashMap<>(db);
        c.putAll(TestServer.erpEndpoint(0, "test-erp", url, secrets, List.of()));
        c.putAll(TestServer.fastErp());
        c.put("podsync.erp.reason-map.DAMAGED", "Z01");
        return TestServer.start(dir.resolve("server"), c, Clock.systemUTC());
    }

    private TestServer.Device deviceOn(String routeId, String driver, int stops) {
        server.erp().releaseRoute(routeId, Fixtures.route(routeId, driver, stops));
        return server.device(driver);
    }

    private static void push(TestServer.Device d, CapturedEvent... events) {
        d.client().push(new PushRequest(Instant.now(), List.of(events)));
    }

    private static CapturedEvent delivered(long seq, String stopId, String orderId, Instant at, EventPayload p) {
        return Fixtures.event(
                UUID.randomUUID().toString(),
                seq,
                EventType.DELIVERED,
                stopId,
                at,
                p != null ? p : Fixtures.fullDelivery(orderId));
    }

    /**
     * Waits until the outbox itself has recorded {@code n} deliveries. The receiver records a delivery before it
     * answers, and the server marks it delivered only after the answer, so the receiver's count runs ahead.
     */
    private void awaitDelivered(int n) throws InterruptedException {
        await(() -> outbox("?status=delivered").get("items").size() == n, n + " delivered in the outbox");
    }

    private JsonNode outbox(String query) {
        return server.outbox(query);
    }

    @Test
    void anErpFailingThenRecoveringRecordsOneDeliveryWithTheCapturedContent() throws Exception {
        TestServer.Device d = deviceOn("RE1", "DE1", 1);
        erp.behavior().failNext(2, 500);
        EventPayload partial = EventPayload.EMPTY
                .withRecipient(new io.podsync.protocol.Recipient("J. Doe", null))
                .withLines(List.of(
                        new LineOutcome("RE1-O1", "L1", new BigDecimal("3"), BigDecimal.ONE, "DAMAGED", true),
                        new LineOutcome("RE1-O1", "L2", new BigDecimal("2"), null, null, true)))
                .withLocation(new GeoFix(Fixtures.BASE_LAT + 0.01, Fixtures.BASE_LON, 8.0));
        CapturedEvent e = Fixtures.event(
                UUID.randomUUID().toString(),
                1,
                EventType.PARTIALLY_DELIVERED,
                "RE1-S1",
                Instant.now().minusSeconds(30),
                partial);
        push(d, e);
        await(() -> erp.deliveries().size() == 1, "one delivery");
        awaitDelivered(1);
        Await.nothingFor(Duration.ofMillis(300), () -> erp.deliveries().size() > 1, "a second delivery");
        Delivery delivery = erp.deliveries().get(0);
        assertEquals("io.podsync.pod.partially_delivered.v1", delivery.type());
        assertEquals(3, delivery.attemptsSeen());
        JsonNode data = delivery.data();
        assertEquals(delivery.webhookId(), data.get("confirmationId").asText());
        assertEquals("original", data.get("kind").asText());
        assertEquals("RE1-S1", data.get("stopId").asText());
        assertEquals(e.idempotencyKey(), data.get("outcomeEventKey").asText());
        assertEquals("J. Doe", data.get("recipient").get("name").asText());
        JsonNode line1 = data.get("orders").get(0).get("lines").get(0);
        assertEquals(0, new BigDecimal("3").compareTo(line1.get("delivered").decimalValue()));
        assertEquals(0, BigDecimal.ONE.compareTo(line1.get("refused").decimalValue()));
        assertEquals("Z01", line1.get("erpReasonCode").asText());
        assertEquals(e.capturedAt(), Instant.parse(data.get("capturedAt").asText()));
        JsonNode messages = outbox("?status=delivered").get("items");
        assertEquals(1, messages.size());
        assertEquals(
                List.of(500, 500, 200),
                statuses(history(messages.get(0).get("id").asLong())));
    }

    /** Every delivery attempt of an outbox message, as operations see it. */
    private JsonNode history(long outboxId) {
        return ProtocolJson.read(
                        server.send(
                                        "GET",
                                        "/v1/ops/outbox/" + outboxId,
                                        null,
                                        null,
                                        server.ops().authenticate().accessToken())
                                .body(),
                        JsonNode.class)
                .get("history");
    }

    private long onlyDelivered() {
        JsonNode items = outbox("?status=delivered").get("items");
        assertEquals(1, items.size());
        return items.get(0).get("id").asLong();
    }

    private static List<Integer> statuses(JsonNode history) {
        List<Integer> out = new java.util.ArrayList<>();
        history.forEach(a -> out.add(a.get("statusCode").asInt()));
        return out;
    }

    /** The receiver records the message, then hangs past the 1 s timeout: the retry is a duplicate it drops. */
    @Test
    void anErpThatAnswersTooLateIsTriedAgainAndKeepsOneDelivery() throws Exception {
        TestServer.Device d = deviceOn("RE8", "DE8", 1);
        erp.behavior().hangNext(1, Duration.ofSeconds(4));
        push(d, delivered(1, "RE8-S1", "RE8-O1", Instant.now().minusSeconds(10), null));
        await(() -> outbox("?status=delivered").get("items").size() == 1, "delivered after the timeout");
        assertEquals(1, erp.deliveries().size());
        assertEquals(1, erp.duplicates(), "the retry reached the receiver and was dropped as a duplicate");
        JsonNode history = history(onlyDelivered());
        assertEquals(List.of(0, 200), statuses(history));
        assertTrue(history.get(0).get("error").asText().contains("timed out"), history.toString());
        long waited = history.get(0).get("durationMillis").asLong();
        assertTrue(waited >= 900 && waited < 3_000, "gave up after " + waited + " ms with a 1 s timeout");
    }

    /**
     * An ERP that closes a kept-alive connection just as a request arrives on it. The sender must send that message
     * again at once on a new connection, not count it as a failed attempt and wait for the schedule.
     */
    @Test
    void aConnectionThatDiesUnderARequestIsReplacedAtOnceWithoutSpendingAnAttempt() throws Exception {
        try (DroppingErp dropping = new DroppingErp()) {
            server.close();
            server = startServer(List.of(SECRET), dropping.url());
            int messages = 4;
            TestServer.Device d = deviceOn("RE9", "DE9", messages);
            for (int i = 1; i <= messages; i++) {
                push(d, delivered(i, "RE9-S" + i, "RE9-O" + i, Instant.now().minusSeconds(60 - i), null));
                awaitDelivered(i);
            }

            // Every second message meets a kept-alive connection (unless the client's own reuse race took that
            // connection out first), and each one dropped was sent once more.
            int dropped = dropping.dropped.get();
            assertTrue(dropped >= 1, "no message met a kept-alive connection");
            assertEquals(messages + dropped, dropping.received.size(), dropping.received.toString());
            assertEquals(messages, new java.util.HashSet<>(dropping.received).size());
            for (JsonNode m : outbox("?status=delivered").get("items")) {
                JsonNode history = history(m.get("id").asLong());
                assertEquals(List.of(200), statuses(history), history.toString());
            }
        }
    }

    /** Answers the first request on each connection; reads the second and closes the connection without a word. */
    private static final class DroppingErp implements AutoCloseable {
        final ServerSocket socket;
        final List<String> received = new CopyOnWriteArrayList<>();
        final AtomicInteger dropped = new AtomicInteger();

        DroppingErp() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        Thread.ofVirtual().start(() -> serve(c));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/webhooks/pod");
        }

        private void serve(Socket c) {
            try (c) {
                InputStream in = new BufferedInputStream(c.getInputStream());
                for (int n = 1; ; n++) {
                    Map<String, String> headers = head(in);
                    if (headers == null) {
                        return;
                    }
                    in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
                    received.add(headers.get("webhook-id"));
                    if (n == 2) {
                        dropped.incrementAndGet();
                        return;
                    }
                    c.getOutputStream()
                            .write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().flush();
                }
            } catch (IOException e) {
                // the sender went away
            }
        }

        /** The request's header fields, names in lower case; null at the end of the stream. */
        private static Map<String, String> head(InputStream in) throws IOException {
            Map<String, String> headers = new HashMap<>();
            StringBuilder line = new StringBuilder();
            boolean first = true;
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\r') {
                    continue;
                }
                if (b != '\n') {
                    line.append((char) b);
                    continue;
                }
                if (line.isEmpty()) {
                    return headers;
                }
                int colon = line.indexOf(":");
                if (!first && colon > 0) {
                    headers.put(
                            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).trim());
                }
                first = false;
                line.setLength(0);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aBusyErpIsGivenTheTimeItAsksForInRetryAfter() throws Exception {
        TestServer.Device d = deviceOn("RE7", "DE7", 1);
        erp.behavior().failNext(1, 503); // with Retry-After: 1, while the schedule would retry after 0.1 s
        push(d, delivered(1, "RE7-S1", "RE7-O1", Instant.now().minusSeconds(10), null));
        await(() -> erp.deliveries().size() == 1, "the delivery after the pause");
        awaitDelivered(1);
        JsonNode history = history(onlyDelivered());
        assertEquals(List.of(503, 200), statuses(history), history.toString());
        long gap = Instant.parse(history.get(1).get("at").asText()).toEpochMilli()
                - Instant.parse(history.get(0).get("at").asText()).toEpochMilli();
        assertTrue(gap >= 900, "retried after " + gap + " ms despite Retry-After: 1");
    }

    /** Nothing listens at the endpoint: each try connects twice (the resend) but counts as one attempt. */
    @Test
    void anErpThatIsDownSpendsOneAttemptPerTryAndTheMessageEndsDead() throws Exception {
        URI down;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            down = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/webhooks/pod");
        }
        server.close();
        server = startServer(List.of(SECRET), down);
        TestServer.Device d = deviceOn("RE10", "DE10", 1);
        push(d, delivered(1, "RE10-S1", "RE10-O1", Instant.now().minusSeconds(10), null));
        await(() -> outbox("?status=dead").get("items").size() == 1, "a dead letter");

        JsonNode history =
                history(outbox("?status=dead").get("items").get(0).get("id").asLong());
        assertEquals(List.of(0, 0, 0, 0, 0), statuses(history), history.toString());
        history.forEach(a -> assertTrue(a.get("error").asText().startsWith("no answer: "), a.toString()));
    }

    @Test
    void afterTheLastAttemptAMessageIsDeadAndAReplayDeliversItOnce() throws Exception {
        TestServer.Device d = deviceOn("RE2", "DE2", 1);
        erp.behavior().failNext(5, 500);
        push(d, delivered(1, "RE2-S1", "RE2-O1", Instant.now().minusSeconds(10), null));
        await(() -> outbox("?status=dead").get("items").size() == 1, "a dead letter");
        assertEquals(0, erp.deliveries().size());
        JsonNode rec = ProtocolJson.read(
                server.send(
                                "GET",
                                "/v1/ops/outbox/reconciliation",
                                null,
                                null,
                                server.ops().authenticate().accessToken())
                        .body(),
                JsonNode.class);
        assertEquals(1, rec.get("dead").asInt());
        assertEquals(0, rec.get("acknowledged").asInt());
        long id = outbox("?status=dead").get("items").get(0).get("id").asLong();
        assertEquals(
                200,
                server.send(
                                "POST",
                                "/v1/ops/outbox/" + id + "/replay",
                                "application/json",
                                "{}",
                                server.ops().authenticate().accessToken())
                        .statusCode());
        await(() -> erp.deliveries().size() == 1, "the replayed delivery");
        awaitDelivered(1);
        Await.nothingFor(Duration.ofMillis(300), () -> erp.deliveries().size() > 1, "a second delivery");
        assertEquals(List.of(500, 500, 500, 500, 500, 200), statuses(history(id)), "history survives a replay");
    }

    @Test
    void aCorrectionNeverOvertakesItsOriginal() throws Exception {
        server.erp().releaseRoute("RE3", Fixtures.route("RE3", "DE3", 1));
        TestServer.Device a = server.device("DE3");
        TestServer.Device b = server.device("DE3");
        erp.behavior().failNext(3, 503);
        Instant t = Instant.now().minusSeconds(60);
        push(a, delivered(1, "RE3-S1", "RE3-O1", t, null));
        // The other phone had delivered earlier, offline; its event arrives late and decides the outcome now.
        push(b, delivered(1, "RE3-S1", "RE3-O1", t.minusSeconds(20), null));
        await(() -> erp.deliveries().size() == 2, "original and correction");
        assertEquals("io.podsync.pod.delivered.v1", erp.deliveries().get(0).type());
        assertEquals("io.podsync.pod.corrected.v1", erp.deliveries().get(1).type());
        assertEquals(
                erp.deliveries().get(0).webhookId(),
                erp.deliveries().get(1).data().get("supersedes").asText());
        assertTrue(server.ops().exceptions("open", 100).items().stream()
                .anyMatch(x -> x.kind().equals("outcome_corrected") && "RE3-S1".equals(x.stopId())));
    }

    /**
     * Two phones of one driver, one attempt: P2's delivery (captured at t+10 s) arrives first and is confirmed; then
     * P1's arrival and failure (NO_ONE_HOME, captured at t+5 s) arrive, and the failure decides the attempt. Once ops
     * resolve the contradiction, the ERP must hear the failure, although NO_ONE_HOME is not a terminal reason: the
     * last message it got must state the stop's outcome.
     */
    @Test
    void aDeliveryOvertakenByAnEarlierFailureEndsAsTheFailureAtTheErp() throws Exception {
        server.erp().releaseRoute("RE11", Fixtures.route("RE11", "DE11", 1));
        TestServer.Device p1 = server.device("DE11");
        TestServer.Device p2 = server.device("DE11");
        Instant t = Instant.now().minusSeconds(120);
        CapturedEvent delivery = delivered(1, "RE11-S1", "RE11-O1", t.plusSeconds(10), null);
        push(p2, delivery);
        awaitDelivered(1);
        CapturedEvent failure = Fixtures.event(
                UUID.randomUUID().toString(),
                2,
                EventType.FAILED,
                "RE11-S1",
                t.plusSeconds(5),
                EventPayload.EMPTY.withReasonCode("NO_ONE_HOME"));
        push(p1, Fixtures.arrived(1, "RE11-S1", t.plusSeconds(4)), failure);
        assertEquals("failed", server.stopState("RE11", "RE11-S1").status());
        long contradiction = server.ops().exceptions("open", 100).items().stream()
                .filter(x -> x.kind().equals("contradiction") && "RE11-S1".equals(x.stopId()))
                .findFirst()
                .orElseThrow()
                .id();
        server.ops().resolveException(contradiction, "accepted", "P1 was right: nobody was home");

        await(() -> erp.deliveries().size() == 2, "the correction after the resolution");
        Delivery last = erp.deliveries().get(1);
        assertEquals("io.podsync.pod.corrected.v1", last.type());
        assertEquals("failed", last.data().get("outcome").asText());
        assertEquals(
                failure.idempotencyKey(), last.data().get("outcomeEventKey").asText());
        assertEquals(false, last.data().get("finalOutcome").asBoolean(), "NO_ONE_HOME at attempt 1 is not final");
        assertEquals(
                erp.deliveries().get(0).webhookId(),
                last.data().get("supersedes").asText());
    }

    /**
     * The old driver's fenced events never count, so they must not hold the new driver's valid confirmation either,
     * whichever arrives first; they are attached to one exception for the stop, and when ops resolve it the old phone
     * pulls the resolution with its verdicts.
     */
    @Test
    void fencedEventsNeverHoldTheNewDriversConfirmationWhateverOrderTheyArriveIn() throws Exception {
        int expected = 0;
        for (boolean fencedFirst : List.of(true, false)) {
            String route = fencedFirst ? "RE12" : "RE13";
            String stop = route + "-S1";
            server.erp().releaseRoute(route, Fixtures.route(route, "OLD-" + route, 1));
            TestServer.Device old = server.device("OLD-" + route);
            server.erp().reassignRoute(route, "NEW-" + route, null);
            TestServer.Device current = server.device("NEW-" + route);
            Instant t = Instant.now().minusSeconds(60);
            CapturedEvent oldArrival = Fixtures.arrived(1, stop, t);
            CapturedEvent oldDelivery = delivered(2, stop, route + "-O1", t.plusSeconds(5), null);
            Runnable fenced = () -> push(old, oldArrival, oldDelivery);
            Runnable valid = () -> push(current, delivered(1, stop, route + "-O1", t.plusSeconds(30), null));
            if (fencedFirst) {
                fenced.run();
                valid.run();
            } else {
                valid.run();
                fenced.run();
            }
            expected++;
            int n = expected;
            await(
                    () -> erp.deliveries().size() == n,
                    "the new driver's confirmation, fenced events first: " + fencedFirst);
            assertEquals(
                    "io.podsync.pod.delivered.v1", erp.deliveries().get(n - 1).type());

            List<io.podsync.protocol.ExceptionView> fencing = server.ops().exceptions("open", 1000).items().stream()
                    .filter(x -> x.kind().equals("reassigned_event") && stop.equals(x.stopId()))
                    .toList();
            assertEquals(1, fencing.size(), "one exception for the stop and kind");
            assertEquals(
                    java.util.Set.of(oldArrival.idempotencyKey(), oldDelivery.idempotencyKey()),
                    fencing.get(0).findings().stream()
                            .map(io.podsync.protocol.ExceptionView.Finding::idempotencyKey)
                            .collect(java.util.stream.Collectors.toSet()));
            server.ops().resolveException(fencing.get(0).id(), "dismissed", "the new driver delivered");
            Map<String, String> resolutions = new HashMap<>();
            for (var c : old.client().pull(null, 1000).changes()) {
                if (c.kind().equals("verdict") && c.data().hasNonNull("resolution")) {
                    resolutions.put(c.id(), c.data().get("resolution").asText());
                }
            }
            assertEquals(
                    Map.of(oldArrival.idempotencyKey(), "dismissed", oldDelivery.idempotencyKey(), "dismissed"),
                    resolutions,
                    "the old phone pulls what became of its fenced events");
        }
    }

    /**
     * Recovering an endpoint replays every dead or failing message written since a time, in order: a dead original
     * goes again and its correction, which waited behind it, follows; a message dead before that time stays dead.
     */
    @Test
    void recoverReplaysAnEndpointsFailedMessagesSinceATimeInOrder() throws Exception {
        server.erp().releaseRoute("RE14", Fixtures.route("RE14", "DE14", 2));
        TestServer.Device a = server.device("DE14");
        TestServer.Device b = server.device("DE14");
        erp.behavior().failNext(1000, 500);
        Instant t = Instant.now().minusSeconds(60);
        push(a, delivered(1, "RE14-S2", "RE14-O2", t, null));
        await(() -> outbox("?status=dead").get("items").size() == 1, "an old dead letter");
        Instant deadAt = Instant.now();
        await(() -> Instant.now().isAfter(deadAt), "the clock to pass the dead letter"); // recover from after it
        Instant since = Instant.now();
        push(a, delivered(2, "RE14-S1", "RE14-O1", t, null));
        await(() -> outbox("?status=dead").get("items").size() == 2, "the original dead");
        push(b, delivered(1, "RE14-S1", "RE14-O1", t.minusSeconds(20), null)); // a correction, waiting behind it
        erp.behavior().reset();
        String ops = server.ops().authenticate().accessToken();

        assertEquals(
                404,
                server.send("POST", "/v1/ops/erp-endpoints/nope/recover", "application/json", "{}", ops)
                        .statusCode());
        java.net.http.HttpResponse<String> missing =
                server.send("POST", "/v1/ops/erp-endpoints/test-erp/recover", "application/json", "{}", ops);
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("\"field\":\"since\""), missing.body());
        // a time no millisecond count can hold is a 400 naming the field, not a 500
        java.net.http.HttpResponse<String> far = server.send(
                "POST",
                "/v1/ops/erp-endpoints/test-erp/recover",
                "application/json",
                "{\"since\":\"+1000000000-01-01T00:00:00Z\"}",
                ops);
        assertEquals(400, far.statusCode(), far.body());
        assertTrue(far.body().contains("\"code\":\"out_of_range\""), far.body());
        assertTrue(far.body().contains("\"field\":\"since\""), far.body());

        java.net.http.HttpResponse<String> res = server.send(
                "POST",
                "/v1/ops/erp-endpoints/test-erp/recover",
                "application/json",
                "{\"since\":\"" + since + "\"}",
                ops);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(
                1,
                ProtocolJson.read(res.body(), JsonNode.class).get("recovered").asInt());
        await(() -> erp.deliveries().size() == 2, "the original and its correction");
        assertEquals("io.podsync.pod.delivered.v1", erp.deliveries().get(0).type());
        assertEquals("io.podsync.pod.corrected.v1", erp.deliveries().get(1).type());
        assertEquals(
                "RE14-S2",
                outbox("?status=dead").get("items").get(0).get("stopId").asText(),
                "dead before: still dead");
    }

    @Test
    void aServerRestartedInTheMiddleOfRetriesDeliversExactlyOnce() throws Exception {
        TestServer.Device d = deviceOn("RE4", "DE4", 1);
        String secret = d.credentials().deviceSecret();
        String deviceId = d.id();
        erp.behavior().failNext(2, 500);
        push(d, delivered(1, "RE4-S1", "RE4-O1", Instant.now().minusSeconds(10), null));
        await(() -> erp.behavior().failuresLeft() < 2, "a first failed attempt");
        server.close();
        server = startServer(List.of(SECRET));
        await(() -> erp.deliveries().size() == 1, "delivery after restart");
        Await.nothingFor(Duration.ofMillis(300), () -> erp.deliveries().size() > 1, "a second delivery");
        assertEquals(0, erp.duplicates());
        assertTrue(new io.podsync.protocol.client.PodsyncClient(server.uri())
                        .useDevice(deviceId, secret)
                        .pull(null, 100)
                        .changes()
                        .size()
                > 0);
    }

    @Test
    void aRotatedSecretStillVerifiesWithEitherKey() throws Exception {
        server.close();
        erp.close();
        erp = ErpReceiver.start(0, List.of(OLD_SECRET), Clock.systemUTC()); // the ERP has not rotated yet
        server = startServer(List.of(SECRET, OLD_SECRET));
        TestServer.Device d = deviceOn("RE5", "DE5", 1);
        push(d, delivered(1, "RE5-S1", "RE5-O1", Instant.now().minusSeconds(10), null));
        await(() -> erp.deliveries().size() == 1, "a delivery verified with the old secret");
        assertEquals(0, erp.rejected());
    }

    /**
     * Dispatch cancelled order O1 after loading; the driver still handed its first line over, and reported only
     * that line of O2. Both are flagged; once operations accept, the ERP gets what was captured: the cancelled
     * order's line as delivered, O2's unreported line as not delivered.
     */
    @Test
    void aFlaggedDeliveryReachesTheErpAsCapturedOnceOperationsAcceptIt() throws Exception {
        StopSpec stop = new StopSpec(
                "RE9-S1",
                1,
                "1 Main Street",
                new GeoPoint(Fixtures.BASE_LAT, Fixtures.BASE_LON),
                100.0,
                null,
                ProofPolicy.NONE,
                List.of(
                        new OrderSpec(
                                "RE9-O1",
                                List.of(
                                        new LineSpec("L1", "SKU-1", "Water", new BigDecimal("4"), "case"),
                                        new LineSpec("L2", "SKU-2", "Apples", new BigDecimal("2"), "bag")),
                                true),
                        new OrderSpec(
                                "RE9-O2",
                                List.of(
                                        new LineSpec("L1", "SKU-3", "Bread", new BigDecimal("5"), "ea"),
                                        new LineSpec("L2", "SKU-4", "Milk", new BigDecimal("6"), "ea")),
                                false)),
                false);
        server.erp().releaseRoute("RE9", new RouteRelease("DE9", "VAN", java.time.LocalDate.now(), List.of(stop)));
        TestServer.Device d = server.device("DE9");
        CapturedEvent e = Fixtures.event(
                UUID.randomUUID().toString(),
                1,
                EventType.PARTIALLY_DELIVERED,
                "RE9-S1",
                Instant.now().minusSeconds(10),
                EventPayload.EMPTY.withLines(List.of(
                        new LineOutcome("RE9-O1", "L1", new BigDecimal("4"), null, null, true),
                        new LineOutcome("RE9-O2", "L1", new BigDecimal("5"), null, null, true))));
        EventResult r = d.client()
                .push(new PushRequest(Instant.now(), List.of(e)))
                .results()
                .get(0);
        assertEquals(List.of(EventFlags.ORDER_CANCELLED, EventFlags.LINE_NOT_REPORTED), r.flags());
        Await.nothingFor(
                Duration.ofMillis(300),
                () -> !erp.deliveries().isEmpty(),
                "a delivery while a person has to look at it");
        long exceptionId = server.ops().exceptions("open", 100).items().stream()
                .filter(x -> e.idempotencyKey().equals(x.idempotencyKey()))
                .findFirst()
                .orElseThrow()
                .id();
        server.ops().resolveException(exceptionId, "accepted", "driver confirmed by phone");
        await(() -> erp.deliveries().size() == 1, "the accepted delivery");
        JsonNode orders = erp.deliveries().get(0).data().get("orders");
        assertTrue(orders.get(0).get("cancelled").asBoolean());
        assertEquals(
                0,
                new BigDecimal("4")
                        .compareTo(line(orders, 0, 0).get("delivered").decimalValue()));
        assertEquals(
                0, BigDecimal.ZERO.compareTo(line(orders, 0, 1).get("delivered").decimalValue()));
        assertEquals(
                0,
                new BigDecimal("5")
                        .compareTo(line(orders, 1, 0).get("delivered").decimalValue()));
        assertEquals(
                0, BigDecimal.ZERO.compareTo(line(orders, 1, 1).get("delivered").decimalValue()));
    }

    private static JsonNode line(JsonNode orders, int order, int line) {
        return orders.get(order).get("lines").get(line);
    }

    @Test
    void aFlaggedDeliveryWaitsForOperationsAndGoneDisablesTheEndpoint() throws Exception {
        TestServer.Device d = deviceOn("RE6", "DE6", 2);
        EventPayload tooMuch = EventPayload.EMPTY.withLines(
                List.of(new LineOutcome("RE6-O1", "L1", new BigDecimal("9"), null, null, true)));
        CapturedEvent flagged = Fixtures.event(
                UUID.randomUUID().toString(),
                1,
                EventType.DELIVERED,
                "RE6-S1",
                Instant.now().minusSeconds(10),
                tooMuch);
        push(d, flagged);
        Await.nothingFor(
                Duration.ofMillis(400),
                () -> !erp.deliveries().isEmpty(),
                "a delivery while a person has to look at it");
        long exceptionId = server.ops().exceptions("open", 100).items().stream()
                .filter(x -> flagged.idempotencyKey().equals(x.idempotencyKey()))
                .findFirst()
                .orElseThrow()
                .id();
        server.ops().resolveException(exceptionId, "accepted", "customer took the extra cases");
        await(() -> erp.deliveries().size() == 1, "the accepted delivery");

        erp.behavior().failNext(1, 410);
        push(d, delivered(2, "RE6-S2", "RE6-O2", Instant.now().minusSeconds(5), null));
        await(() -> outbox("?status=held").get("items").size() == 1, "the message held after 410");
        Await.nothingFor(
                Duration.ofMillis(300), () -> erp.deliveries().size() > 1, "a delivery to an endpoint that said 410");
        assertEquals(
                200,
                server.send(
                                "POST",
                                "/v1/ops/erp-endpoints/test-erp/enable",
                                "application/json",
                                "{}",
                                server.ops().authenticate().accessToken())
                        .statusCode());
        await(() -> erp.deliveries().size() == 2, "delivery after the endpoint is enabled again");
        assertEquals(
                404,
                server.send(
                                "POST",
                                "/v1/ops/erp-endpoints/nope/enable",
                                "application/json",
                                "{}",
                                server.ops().authenticate().accessToken())
                        .statusCode());
    }

    @Test
    void aMalformedEndpointIsRefusedAtStartWithAClearMessage() {
        server.close();
        Map<String, String> c = Map.of(
                "podsync.erp.endpoints.0.name", "bad",
                "podsync.erp.endpoints.0.url", "ftp:/nowhere",
                "podsync.erp.endpoints.0.secrets.0", SECRET);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TestServer.start(dir.resolve("bad"), c, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("podsync.erp.endpoints[0].url"), e.getMessage());
        Map<String, String> weak = Map.of(
                "podsync.erp.endpoints.0.name", "weak",
                "podsync.erp.endpoints.0.url", "http://127.0.0.1:1/x",
                "podsync.erp.endpoints.0.secrets.0", "whsec_c2hvcnQ=");
        e = assertThrows(
                IllegalArgumentException.class, () -> TestServer.start(dir.resolve("weak"), weak, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("24 to 64 bytes"), e.getMessage());
        server = startServer(List.of(SECRET)); // for @AfterEach
    }
}
