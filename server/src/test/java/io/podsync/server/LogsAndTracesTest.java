package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.observe.LogFormat;
import io.podsync.server.observe.LoggingConfig;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs and traces: the access log with correlation ids; JSON log lines that carry the correlation id of the request or
 * of the outbox message they were written for; W3C {@code traceparent} continued through push, fold, upload, route
 * release and the outbox, to the ERP's webhook (also with tracing off); and OpenTelemetry spans, recorded by the SDK's
 * in-memory exporter, that share the caller's trace id.
 */
class LogsAndTracesTest {
    static final String TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String TRACE_B = "0af7651916cd43dd8448eb211c80319c";

    @TempDir
    Path dir;

    HttpServer erp;
    final List<Map<String, String>> webhooks = Collections.synchronizedList(new ArrayList<>());
    int erpStatus = 200;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void erp() throws Exception {
        erp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        erp.createContext("/hook", exchange -> {
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            exchange.getRequestBody().readAllBytes();
            webhooks.add(headers);
            exchange.sendResponseHeaders(erpStatus, -1);
            exchange.close();
        });
        erp.start();
    }

    @AfterEach
    void stopErp() {
        erp.stop(0);
    }

    private Map<String, String> settings(Map<String, String> more) {
        Map<String, String> c = new HashMap<>(more);
        c.put("podsync.erp.endpoints.0.name", "erp");
        c.put(
                "podsync.erp.endpoints.0.url",
                "http://127.0.0.1:" + erp.getAddress().getPort() + "/hook");
        c.put("podsync.erp.endpoints.0.secrets.0", ErpForwardingTest.SECRET);
        c.put("podsync.erp.endpoints.0.timeout", "PT2S");
        c.put("podsync.erp.retry-schedule.0", "PT0S");
        c.put("podsync.erp.retry-schedule.1", "PT0.1S");
        c.put("podsync.erp.poll-interval", "PT0.05S");
        return c;
    }

    private static String traceparent(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    private HttpResponse<String> send(
            TestServer server, String method, String path, String token, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path))
                .header("Authorization", "Bearer " + token)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A delivery at stop 1 of the route, pushed raw with the given headers. */
    private HttpResponse<String> pushDelivery(
            TestServer server, TestServer.Device d, String route, Map<String, String> h) throws Exception {
        String body = ProtocolJson.toString(new io.podsync.protocol.PushRequest(
                Instant.now(),
                List.of(Fixtures.event(
                        "k-" + route,
                        1,
                        EventType.DELIVERED,
                        route + "-S1",
                        Instant.now().minusSeconds(30),
                        Fixtures.fullDelivery(route + "-O1")))));
        HttpResponse<String> res = send(server, "POST", "/v1/sync/push", d.token(), body, h);
        assertEquals(200, res.statusCode(), res.body());
        return res;
    }

    @Test
    void spansShareTheCallersTraceAndTheErpGetsItWithTheCorrelationId() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .build();
        try (TestServer server = TestServer.start(dir, settings(Map.of()), Clock.systemUTC(), otel)) {
            String erpToken = server.erp().authenticate().accessToken();
            HttpResponse<String> released = send(
                    server,
                    "PUT",
                    "/v1/routes/TR",
                    erpToken,
                    ProtocolJson.toString(Fixtures.route("TR", "DT", 2)),
                    Map.of("traceparent", traceparent(TRACE_A, "00f067aa0ba902b7"), "X-Correlation-Id", "erp-rel-1"));
            assertEquals(200, released.statusCode(), released.body());
            SpanData release = only(spans, "podsync.route.release");
            assertEquals(TRACE_A, release.getTraceId(), "the release continues the ERP's trace");
            SpanData releaseRequest = byId(spans, release.getParentSpanId());
            assertEquals(SpanKind.SERVER, releaseRequest.getKind());
            assertEquals("PUT /v1/routes/{routeId}", releaseRequest.getName());
            assertEquals(
                    "00f067aa0ba902b7", releaseRequest.getParentSpanId(), "the request's span is the caller's child");

            TestServer.Device device = server.device("DT");
            pushDelivery(
                    server,
                    device,
                    "TR",
                    Map.of("traceparent", traceparent(TRACE_B, "b7ad6b7169203331"), "X-Correlation-Id", "push-1"));
            SpanData push = only(spans, "podsync.push");
            assertEquals(TRACE_B, push.getTraceId());
            SpanData fold = only(spans, "podsync.fold");
            assertEquals(
                    TRACE_B, fold.getTraceId(), "the fold, on the database writer's thread, is in the push's trace");
            assertEquals(push.getSpanId(), fold.getParentSpanId());

            TestServer.await(() -> !webhooks.isEmpty(), "the confirmation at the ERP");
            Map<String, String> hook = webhooks.get(0);
            assertEquals("push-1", hook.get("x-correlation-id"));
            assertNotNull(hook.get("traceparent"), hook.toString());
            assertEquals(TRACE_B, hook.get("traceparent").split("-")[1], "the ERP joins the push's trace");
            TestServer.await(() -> has(spans, "podsync.outbox.send"), "the outbox span");
            SpanData send = only(spans, "podsync.outbox.send");
            assertEquals(SpanKind.CLIENT, send.getKind());
            assertEquals(TRACE_B, send.getTraceId());
            assertEquals(send.getSpanId(), hook.get("traceparent").split("-")[2], "the ERP's parent is the send span");

            device.client().upload(EvidenceTest.jpeg(40_000, 3), "image/jpeg", EvidenceKind.PHOTO, 16 * 1024, 3);
            TestServer.await(() -> has(spans, "podsync.upload"), "the upload span");
            for (SpanData upload : named(spans, "podsync.upload")) {
                SpanData request = byId(spans, upload.getParentSpanId());
                assertEquals(upload.getTraceId(), request.getTraceId());
                assertEquals("PATCH /v1/uploads/{id}", request.getName());
            }
        } finally {
            otel.close();
        }
    }

    @Test
    void withTracingOffTheCallersTraceStillReachesTheErp() throws Exception {
        try (TestServer server = TestServer.start(dir, settings(Map.of()))) {
            server.erp().releaseRoute("TO", Fixtures.route("TO", "DO", 1));
            TestServer.Device device = server.device("DO");
            pushDelivery(server, device, "TO", Map.of("traceparent", traceparent(TRACE_B, "b7ad6b7169203331")));
            TestServer.await(() -> !webhooks.isEmpty(), "the confirmation at the ERP");
            assertEquals(
                    traceparent(TRACE_B, "b7ad6b7169203331"),
                    webhooks.get(0).get("traceparent"),
                    "continued as it came: no span of ours in between");
            assertNotNull(webhooks.get(0).get("x-correlation-id"));
        }
    }

    @Test
    void theAccessLogAndJsonLinesCarryTheCorrelationIds() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Handler capture = new StreamHandler(out, new SimpleFormatter());
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        List<LogRecord> access = Collections.synchronizedList(new ArrayList<>());
        Handler accessCapture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                access.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger accessLog = Logger.getLogger("io.helidon.webserver.AccessLog");
        accessLog.addHandler(accessCapture);
        accessLog.setLevel(Level.INFO); // as application.yaml's logging.properties has it; the tests' log WARNING
        erpStatus = 500; // every attempt fails: the message goes dead and that is logged
        try (TestServer server = TestServer.start(
                dir, settings(Map.of("podsync.logging.format", "json", "podsync.logging.access-log", "true")))) {
            server.erp().releaseRoute("TJ", Fixtures.route("TJ", "DJ", 1));
            TestServer.Device device = server.device("DJ");
            pushDelivery(server, device, "TJ", Map.of("X-Correlation-Id", "push-dead-1"));
            TestServer.await(() -> text(out, capture).contains("is dead after"), "the dead letter's log line");

            HttpResponse<String> unknown =
                    send(server, "GET", "/v1/routes/NOPE", device.token(), null, Map.of("X-Correlation-Id", "acc-1"));
            assertEquals(403, unknown.statusCode());
            TestServer.await(
                    () -> List.copyOf(access).stream()
                            .anyMatch(r -> r.getMessage().contains("GET /v1/routes/NOPE")
                                    && r.getMessage().contains(" 403 ")
                                    && r.getMessage().contains("correlationId=acc-1")),
                    "the access log line of the request");

            server.server().database().close(); // the database is gone: the request's failure is logged
            assertEquals(
                    503,
                    send(
                                    server,
                                    "GET",
                                    "/v1/ops/exceptions",
                                    server.ops().authenticate().accessToken(),
                                    null,
                                    Map.of("X-Correlation-Id", "db-down-1"))
                            .statusCode());
            TestServer.await(() -> text(out, capture).contains("storage failure"), "the storage failure's line");

            Map<String, String> correlationOf = new HashMap<>();
            for (String line : text(out, capture).split("\n")) {
                JsonNode json = ProtocolJson.read(line, JsonNode.class); // every line is one JSON object
                assertTrue(json.has("time") && json.has("level") && json.has("logger"), line);
                String message = json.path("message").asText();
                if (message.contains("is dead after")) {
                    correlationOf.put("dead", json.path("correlationId").asText());
                } else if (message.startsWith("storage failure")) {
                    correlationOf.put("storage", json.path("correlationId").asText());
                    assertTrue(json.has("exception"), "with its stack trace: " + line);
                }
            }
            assertEquals("push-dead-1", correlationOf.get("dead"), "the outbox message's correlation id");
            assertEquals("db-down-1", correlationOf.get("storage"), "the request's correlation id");
        } finally {
            root.removeHandler(capture);
            accessLog.removeHandler(accessCapture);
            accessLog.setLevel(null);
            LogFormat.install(new LoggingConfig("text", false));
        }
    }

    private static String text(ByteArrayOutputStream out, Handler h) {
        h.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<SpanData> named(InMemorySpanExporter spans, String name) {
        return spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals(name))
                .toList();
    }

    private static boolean has(InMemorySpanExporter spans, String name) {
        return !named(spans, name).isEmpty();
    }

    private static SpanData only(InMemorySpanExporter spans, String name) {
        List<SpanData> found = named(spans, name);
        assertEquals(1, found.size(), name + ": " + spans.getFinishedSpanItems());
        return found.get(0);
    }

    /** The span of this id, once it ended (a request's span ends just after its answer went out). */
    private static SpanData byId(InMemorySpanExporter spans, String spanId) throws InterruptedException {
        TestServer.await(
                () -> spans.getFinishedSpanItems().stream()
                        .anyMatch(s -> s.getSpanId().equals(spanId)),
                "span " + spanId);
        return spans.getFinishedSpanItems().stream()
                .filter(s -> s.getSpanId().equals(spanId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span " + spanId + " in " + spans.getFinishedSpanItems()));
    }
}
