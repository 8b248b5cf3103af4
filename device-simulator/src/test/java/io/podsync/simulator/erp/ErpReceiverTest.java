package io.podsync.simulator.erp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.json.ProtocolJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ErpReceiverTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final long NOW = 1_750_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ErpReceiver erp;

    @BeforeEach
    void start() throws IOException {
        erp = ErpReceiver.start(0, List.of(SECRET), CLOCK);
    }

    @AfterEach
    void stop() {
        erp.close();
    }

    static byte[] event(String id, String subject) {
        return ProtocolJson.toBytes(Map.of(
                "specversion", "1.0",
                "id", id,
                "source", "/podsync/routes/R1",
                "type", "io.podsync.pod.delivered.v1",
                "time", "2025-06-15T15:06:40Z",
                "subject", subject,
                "data", Map.of("orderId", "O-1", "delivered", 3)));
    }

    private HttpRequest.Builder signed(String webhookId, long timestamp, byte[] body) {
        return HttpRequest.newBuilder(erp.url())
                .timeout(Duration.ofSeconds(2))
                .header("Content-Type", "application/cloudevents+json")
                .header("webhook-id", webhookId)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", WebhookVerifier.sign(SECRET, webhookId, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String webhookId, byte[] body) throws IOException, InterruptedException {
        return send(signed(webhookId, NOW, body).build());
    }

    private static String error(HttpResponse<String> response) {
        return ProtocolJson.read(response.body(), JsonNode.class).path("error").asText();
    }

    @Test
    void recordsASignedCloudEvent() throws Exception {
        HttpResponse<String> r = post("msg_1", event("evt-1", "stops/S1"));

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, erp.deliveries().size());
        Delivery d = erp.deliveries().getFirst();
        assertEquals("msg_1", d.webhookId());
        assertEquals("io.podsync.pod.delivered.v1", d.type());
        assertEquals("stops/S1", d.subject());
        assertEquals("O-1", d.data().path("orderId").asText());
        assertEquals("evt-1", d.event().path("id").asText());
        assertEquals(Instant.ofEpochSecond(NOW), d.receivedAt());
        assertEquals(1, d.attemptsSeen());
        assertEquals(0, erp.rejected());
    }

    @Test
    void refusesABadSignatureWith401AndRecordsNothing() throws Exception {
        byte[] body = event("evt-1", "stops/S1");
        HttpRequest forged = signed("msg_1", NOW, body)
                .setHeader("webhook-signature", WebhookVerifier.sign("whsec_b3RoZXI=", "msg_1", NOW, body))
                .build();

        HttpResponse<String> r = send(forged);

        assertEquals(401, r.statusCode());
        assertEquals("no_matching_signature", error(r));
        assertEquals(List.of(), erp.deliveries());
        assertEquals(1, erp.rejected());
    }

    @Test
    void refusesAReplayOutsideTheToleranceEvenWithAValidSignature() throws Exception {
        long old = NOW - Duration.ofMinutes(6).toSeconds();
        HttpResponse<String> r =
                send(signed("msg_1", old, event("evt-1", "stops/S1")).build());

        assertEquals(401, r.statusCode());
        assertEquals("timestamp_too_old", error(r));
        assertEquals(List.of(), erp.deliveries());
    }

    @Test
    void aDuplicateWebhookIdIsAnswered200ButRecordedOnce() throws Exception {
        byte[] body = event("evt-1", "stops/S1");
        assertEquals(200, post("msg_1", body).statusCode());
        // a retry is re-signed with a fresh timestamp but keeps the webhook-id
        HttpResponse<String> again = send(signed("msg_1", NOW + 30, body).build());

        assertEquals(200, again.statusCode());
        assertTrue(again.body().contains("duplicate"), again.body());
        assertEquals(1, erp.deliveries().size());
        assertEquals(1, erp.duplicates());
        assertEquals(2, erp.deliveries().getFirst().attemptsSeen());
        assertEquals(200, post("msg_2", event("evt-2", "stops/S2")).statusCode());
        assertEquals(
                List.of("msg_1", "msg_2"),
                erp.deliveries().stream().map(Delivery::webhookId).toList());
    }

    @Test
    void failsTheNextTwoWith503AndRecordsOnlyTheAttemptThatSucceeds() throws Exception {
        erp.behavior().failNext(2, 503);
        byte[] body = event("evt-1", "stops/S1");

        HttpResponse<String> first = post("msg_1", body);
        HttpResponse<String> second = post("msg_1", body);
        assertEquals(List.of(), erp.deliveries());
        HttpResponse<String> third = post("msg_1", body);

        assertEquals(503, first.statusCode());
        assertEquals("1", first.headers().firstValue("Retry-After").orElse(null));
        assertEquals(503, second.statusCode());
        assertEquals(200, third.statusCode());
        assertEquals(1, erp.deliveries().size());
        assertEquals(3, erp.deliveries().getFirst().attemptsSeen());
        assertEquals(0, erp.duplicates());
        assertEquals(0, erp.rejected());
    }

    @Test
    void otherStatusesCanBeSimulatedAndUnsignedRequestsDoNotUseThemUp() throws Exception {
        erp.behavior().failNext(1, 410);
        HttpRequest unsigned = HttpRequest.newBuilder(erp.url())
                .header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();

        assertEquals(401, send(unsigned).statusCode());
        HttpResponse<String> gone = post("msg_1", event("evt-1", "stops/S1"));

        assertEquals(410, gone.statusCode());
        assertTrue(gone.headers().firstValue("Retry-After").isEmpty());
        assertEquals(0, erp.behavior().failuresLeft());
        assertEquals(List.of(), erp.deliveries());
    }

    @Test
    void aHangMakesAClientWithAShortTimeoutFailAndItsRetryIsADuplicate() throws Exception {
        erp.behavior().hangNext(1, Duration.ofSeconds(5));
        byte[] body = event("evt-1", "stops/S1");

        long t0 = System.nanoTime();
        assertThrows(
                HttpTimeoutException.class,
                () -> send(signed("msg_1", NOW, body)
                        .timeout(Duration.ofMillis(300))
                        .build()));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(3).toNanos(), "the client's timeout ended it");

        // The hung request was recorded before hanging: what makes the sender's retry a duplicate.
        assertEquals(1, erp.deliveries().size());
        HttpResponse<String> retry = post("msg_1", body);
        assertEquals(200, retry.statusCode());
        assertEquals(1, erp.deliveries().size());
        assertEquals(1, erp.duplicates());
    }

    @Test
    void delaysEveryAnswer() throws Exception {
        erp.behavior().delayEach(Duration.ofMillis(250));
        long t0 = System.nanoTime();

        assertEquals(200, post("msg_1", event("evt-1", "stops/S1")).statusCode());

        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(250).toNanos());
    }

    @Test
    void refusesABodyOverOneMebibyteWith413() throws Exception {
        byte[] big = new byte[ErpReceiver.MAX_BODY_BYTES + 1];
        Arrays.fill(big, (byte) ' ');

        // Many times: a receiver that closes on unread bytes resets some of these connections before the sender
        // reads the 413 (about one in ten here), and the sender then sees only "connection reset".
        for (int i = 1; i <= 50; i++) {
            HttpResponse<String> r = post("msg_" + i, big);

            assertEquals(413, r.statusCode());
            assertEquals("body_too_large", error(r));
        }
        assertEquals(50, erp.rejected());
        assertEquals(List.of(), erp.deliveries());
    }

    @Test
    void refusesAnOversizeChunkedBodyThatDeclaresNoLength() throws Exception {
        byte[] big = new byte[ErpReceiver.MAX_BODY_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        HttpRequest chunked = signed("msg_1", NOW, big)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();

        HttpResponse<String> r = send(chunked);

        assertEquals(413, r.statusCode());
        assertEquals(1, erp.rejected());
    }

    @Test
    void acceptsABodyOfExactlyTheLimit() throws Exception {
        byte[] event = event("evt-1", "stops/S1");
        byte[] padded = new byte[ErpReceiver.MAX_BODY_BYTES];
        Arrays.fill(padded, (byte) ' ');
        System.arraycopy(event, 0, padded, 0, event.length);

        assertEquals(200, post("msg_1", padded).statusCode());
        assertEquals(1, erp.deliveries().size());
    }

    @Test
    void refusesWhatIsNotAStructuredCloudEvent() throws Exception {
        byte[] notAnEvent = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> invalid = post("msg_1", notAnEvent);
        HttpResponse<String> plainJson = send(signed("msg_2", NOW, event("evt-2", "stops/S2"))
                .setHeader("Content-Type", "application/json")
                .build());

        assertEquals(400, invalid.statusCode());
        assertEquals("invalid_cloudevent", error(invalid));
        assertEquals(415, plainJson.statusCode());
        assertEquals(2, erp.rejected());
        assertEquals(List.of(), erp.deliveries());
    }

    @Test
    void listsDeliveriesAndAnswersHealth() throws Exception {
        post("msg_1", event("evt-1", "stops/S1"));
        URI base = erp.url().resolve("/");

        HttpResponse<String> list = send(HttpRequest.newBuilder(base.resolve(ErpReceiver.DELIVERIES_PATH))
                .GET()
                .build());
        HttpResponse<String> health =
                send(HttpRequest.newBuilder(base.resolve("/health")).GET().build());
        HttpResponse<String> other = send(
                HttpRequest.newBuilder(base.resolve("/webhooks/pods")).GET().build());

        assertEquals(200, list.statusCode());
        JsonNode json = ProtocolJson.read(list.body(), JsonNode.class);
        assertEquals("msg_1", json.path("deliveries").path(0).path("webhookId").asText());
        assertEquals(
                "stops/S1",
                json.path("deliveries").path(0).path("event").path("subject").asText());
        assertEquals(0, json.path("duplicates").asInt(-1));
        assertEquals(200, health.statusCode());
        assertEquals(404, other.statusCode());
    }

    @Test
    void aDeliveryWithoutSubjectOrDataIsStillRecorded() throws Exception {
        byte[] bare = ProtocolJson.toBytes(
                Map.of("specversion", "1.0", "id", "e", "source", "/s", "type", "io.podsync.pod.delivered.v1"));

        assertEquals(200, post("msg_1", bare).statusCode());

        assertNull(erp.deliveries().getFirst().subject());
        assertNull(erp.deliveries().getFirst().data());
    }
}
