package io.podsync.server;

import static io.podsync.server.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.json.ProtocolJson;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every message the ERP outbox sends is verified with the Standard Webhooks reference library for Java and parsed
 * with the CloudEvents Java SDK, as an ERP integrator would: one endpoint in the middle of a secret rotation (signed
 * with the old and the new secret) and one after it (the new secret only). The test iterates over every outbox message
 * an end-to-end scenario produced, so any message type the outbox gains is covered without a change here.
 */
class WebhookInteropTest {
    static final String OLD = secret("interop-old-secret-0123456789ab");
    static final String NEW = secret("interop-new-secret-0123456789ab");
    static final String OTHER = secret("someone-else-secret-0123456789");
    /** The message types the outbox produces today; the scenario must reach each of them. */
    static final Set<String> POD_TYPES = Set.of(
            "io.podsync.pod.delivered.v1",
            "io.podsync.pod.partially_delivered.v1",
            "io.podsync.pod.failed.v1",
            "io.podsync.pod.corrected.v1");

    @TempDir
    Path dir;

    /** One request as the ERP received it: the path, the headers and the raw body bytes. */
    record Received(String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    private static String secret(String raw) {
        return "whsec_" + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyOutboxMessageVerifiesWithTheReferenceLibraryAndParsesAsACloudEvent() throws Exception {
        List<Received> received = new CopyOnWriteArrayList<>();
        HttpServer erp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        erp.createContext("/", exchange -> {
            received.add(new Received(
                    exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        erp.start();
        String base = "http://127.0.0.1:" + erp.getAddress().getPort();
        Map<String, String> c = new HashMap<>();
        c.put("podsync.erp.endpoints.0.name", "rotating");
        c.put("podsync.erp.endpoints.0.url", base + "/rotating");
        c.put("podsync.erp.endpoints.0.secrets.0", NEW);
        c.put("podsync.erp.endpoints.0.secrets.1", OLD);
        c.put("podsync.erp.endpoints.1.name", "rotated");
        c.put("podsync.erp.endpoints.1.url", base + "/rotated");
        c.put("podsync.erp.endpoints.1.secrets.0", NEW);
        c.put("podsync.erp.poll-interval", "PT0.05S");
        try (TestServer server = TestServer.start(dir, c)) {
            scenario(server);
            JsonNode outbox = server.outbox("?limit=1000").get("items");
            await(
                    () -> server.outbox("?status=delivered&limit=1000")
                                    .get("items")
                                    .size()
                            == outbox.size(),
                    "every outbox message delivered");
            Set<String> types = new TreeSet<>();
            for (JsonNode m : outbox) {
                types.add(m.get("type").asText());
                String path = "/" + m.get("endpoint").asText();
                Received r = received.stream()
                        .filter(x -> x.path().equals(path)
                                && m.get("messageId").asText().equals(x.header("webhook-id")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("message " + m + " not received"));
                verify(r, m.get("type").asText(), path.equals("/rotating"));
            }
            assertTrue(types.containsAll(POD_TYPES), "the scenario produced " + types);
        } finally {
            erp.stop(0);
        }
    }

    /** Checks one request as an integrator's receiver would, with the libraries they would use. */
    private static void verify(Received r, String type, boolean duringRotation) throws Exception {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        new Webhook(NEW).verify(body, r.headers());
        if (duringRotation) {
            new Webhook(OLD).verify(body, r.headers()); // an ERP that has not switched yet
        } else {
            assertThrows(WebhookVerificationException.class, () -> new Webhook(OLD).verify(body, r.headers()));
        }
        assertThrows(WebhookVerificationException.class, () -> new Webhook(OTHER).verify(body, r.headers()));
        assertThrows(
                WebhookVerificationException.class,
                () -> new Webhook(NEW).verify(body.replace("\"io.podsync", "\"io.podsync.x"), r.headers()));

        assertTrue(r.header("Content-Type").startsWith(JsonFormat.CONTENT_TYPE), r.header("Content-Type"));
        EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
        assertNotNull(format, "the CloudEvents JSON format is on the classpath");
        CloudEvent event = format.deserialize(r.body());
        assertEquals(SpecVersion.V1, event.getSpecVersion());
        assertEquals(r.header("webhook-id"), event.getId());
        assertEquals(type, event.getType());
        assertNotNull(event.getSource());
        assertNotNull(event.getTime());
        assertNotNull(event.getExtension("correlationid"));
        assertNotNull(event.getData());
        JsonNode data =
                ProtocolJson.read(new String(event.getData().toBytes(), StandardCharsets.UTF_8), JsonNode.class);
        assertEquals(event.getId(), data.get("confirmationId").asText());
        assertEquals(event.getSubject(), "stops/" + data.get("stopId").asText());
    }

    /** Deliveries, a partial delivery, a final failure and a correction. */
    private static void scenario(TestServer server) {
        server.erp().releaseRoute("RW", Fixtures.route("RW", "DW", 4));
        TestServer.Device a = server.device("DW");
        TestServer.Device b = server.device("DW");
        Instant t = Instant.now().minusSeconds(120);
        push(a, event(1, EventType.DELIVERED, "RW-S1", t, Fixtures.fullDelivery("RW-O1")));
        push(
                a,
                event(
                        2,
                        EventType.PARTIALLY_DELIVERED,
                        "RW-S2",
                        t,
                        EventPayload.EMPTY
                                .withLines(List.of(
                                        new LineOutcome(
                                                "RW-O2", "L1", new BigDecimal("3"), BigDecimal.ONE, "DAMAGED", true),
                                        new LineOutcome("RW-O2", "L2", new BigDecimal("2"), null, null, true)))
                                .withLocation(Fixtures.at("RW", 2))));
        push(
                a,
                event(
                        3,
                        EventType.FAILED,
                        "RW-S3",
                        t,
                        EventPayload.EMPTY.withReasonCode("REFUSED").withLocation(Fixtures.at("RW", 3))));
        // The other phone delivered stop 4 earlier, offline: its late event decides the outcome, a correction.
        push(a, event(4, EventType.DELIVERED, "RW-S4", t, Fixtures.fullDelivery("RW-O4")));
        push(b, event(1, EventType.DELIVERED, "RW-S4", t.minusSeconds(20), Fixtures.fullDelivery("RW-O4")));
    }

    private static CapturedEvent event(long seq, EventType type, String stopId, Instant at, EventPayload p) {
        return Fixtures.event(UUID.randomUUID().toString(), seq, type, stopId, at, p);
    }

    private static void push(TestServer.Device d, CapturedEvent e) {
        d.client().push(new PushRequest(Instant.now(), List.of(e)));
    }
}
