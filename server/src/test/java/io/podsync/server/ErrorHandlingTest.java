package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.json.ProtocolJson;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a problem document with a stable code and the field, never a 500, and stores nothing. */
class ErrorHandlingTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static String erp;
    static String driver;

    @BeforeAll
    static void start() {
        server = TestServer.start(
                dir,
                Map.of("podsync.http.max-body-bytes", "4096", "podsync.sync.max-events-per-push", "3"),
                Clock.systemUTC());
        erp = server.erp().authenticate().accessToken();
        server.erp().releaseRoute("RE", Fixtures.route("RE", "DE", 1));
        driver = server.device("DE").token();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode problem(HttpResponse<String> res, int status, String code) {
        assertEquals(status, res.statusCode(), res.body());
        assertEquals(
                "application/problem+json",
                res.headers().firstValue("content-type").orElse(""));
        JsonNode p = ProtocolJson.read(res.body(), JsonNode.class);
        assertEquals(code, p.get("code").asText(), res.body());
        assertEquals(status, p.get("status").asInt());
        assertNotNull(p.get("correlationId"));
        assertFalse(res.body().contains("Exception"), "leaks internals: " + res.body());
        assertFalse(res.body().contains("\tat "), "leaks a stack trace: " + res.body());
        return p;
    }

    private static final String VALID_ROUTE = """
            {"driverId":"DX","serviceDate":"2026-11-23","stops":[{"stopId":"X1","sequence":1,
             "location":{"lat":52.0,"lon":4.0},"orders":[{"orderId":"OX","lines":[{"lineId":"L1","quantity":4}]}]}]}
            """;

    @Test
    void malformedJson() {
        problem(server.send("PUT", "/v1/routes/RX", "application/json", "{\"driverId\": ", erp), 400, "malformed_json");
        problem(server.send("PUT", "/v1/routes/RX", "application/json", "", erp), 400, "malformed_json");
        problem(server.send("PUT", "/v1/routes/RX", "application/json", "{} {}", erp), 400, "malformed_json");
        assertRouteAbsent("RX");
    }

    @Test
    void wrongFieldTypesNameTheField() {
        String quantityAsString = VALID_ROUTE.replace("\"quantity\":4", "\"quantity\":\"4\"");
        JsonNode p = problem(
                server.send("PUT", "/v1/routes/RX", "application/json", quantityAsString, erp), 400, "invalid_type");
        assertEquals("stops[0].orders[0].lines[0].quantity", p.get("field").asText());
        String badDate = VALID_ROUTE.replace("2026-11-23", "tomorrow");
        assertEquals(
                "serviceDate",
                problem(server.send("PUT", "/v1/routes/RX", "application/json", badDate, erp), 400, "invalid_format")
                        .get("field")
                        .asText());
        String stopsNotArray = "{\"driverId\":\"DX\",\"serviceDate\":\"2026-11-23\",\"stops\":\"none\"}";
        problem(server.send("PUT", "/v1/routes/RX", "application/json", stopsNotArray, erp), 400, "invalid_type");
        assertRouteAbsent("RX");
    }

    @Test
    void everyViolationIsListedWithItsField() {
        String broken = VALID_ROUTE
                .replace("\"driverId\":\"DX\",", "")
                .replace("\"lat\":52.0", "\"lat\":152.0")
                .replace("\"quantity\":4", "\"quantity\":-1");
        JsonNode p =
                problem(server.send("PUT", "/v1/routes/RX", "application/json", broken, erp), 400, "validation_failed");
        String errors = p.get("errors").toString();
        assertTrue(errors.contains("\"field\":\"driverId\""), errors);
        assertTrue(errors.contains("\"field\":\"stops[0].location.lat\""), errors);
        assertTrue(errors.contains("\"field\":\"stops[0].orders[0].lines[0].quantity\""), errors);
        assertEquals(3, p.get("errors").size());
        assertRouteAbsent("RX");
        // and a valid one goes through, so the failures above were about the input
        assertEquals(
                200,
                server.send("PUT", "/v1/routes/RX", "application/json", VALID_ROUTE, erp)
                        .statusCode());
        server.send("POST", "/v1/routes/RX/cancel", "application/json", "{}", erp);
    }

    @Test
    void sizeAndCountLimits() {
        String big = "{\"driverId\":\"" + "x".repeat(5000) + "\"}";
        problem(server.send("PUT", "/v1/routes/RBig", "application/json", big, erp), 413, "payload_too_large");
        String event =
                "{\"idempotencyKey\":\"k%d\",\"seq\":%d,\"type\":\"note\",\"stopId\":\"RE-S1\",\"capturedAt\":\"%s\"}";
        StringBuilder events = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            events.append(i > 1 ? "," : "").append(event.formatted(i, i, Instant.now()));
        }
        String body = "{\"sentAt\":\"" + Instant.now() + "\",\"events\":[" + events + "]}";
        JsonNode p = problem(server.postJson("/v1/sync/push", body, driver), 413, "batch_too_large");
        assertEquals("events", p.get("field").asText());
        // nothing of the refused batch was stored: the same keys are new afterwards
        String one = "{\"sentAt\":\"" + Instant.now() + "\",\"events\":[" + event.formatted(1, 1, Instant.now()) + "]}";
        HttpResponse<String> ok = server.postJson("/v1/sync/push", one, driver);
        assertEquals(
                "applied",
                ProtocolJson.read(ok.body(), JsonNode.class)
                        .get("results")
                        .get(0)
                        .get("verdict")
                        .asText());
        problem(server.send("GET", "/v1/sync/pull?limit=5000", null, null, driver), 400, "out_of_range");
        problem(server.send("GET", "/v1/sync/pull?limit=abc", null, null, driver), 400, "invalid_format");
    }

    @Test
    void pushEnvelopeErrors() {
        problem(server.postJson("/v1/sync/push", "{\"events\":[]}", driver), 400, "required");
        problem(
                server.postJson("/v1/sync/push", "{\"sentAt\":\"yesterday\",\"events\":[]}", driver),
                400,
                "invalid_format");
        problem(
                server.postJson("/v1/sync/push", "{\"sentAt\":\"" + Instant.now() + "\",\"events\":{}}", driver),
                400,
                "invalid_type");
        problem(server.postJson("/v1/sync/push", "[]", driver), 400, "invalid_type");
    }

    @Test
    void contentTypeUnknownPathsAndProtocolVersions() {
        problem(server.send("PUT", "/v1/routes/RX", "text/plain", VALID_ROUTE, erp), 415, "unsupported_media_type");
        problem(server.send("GET", "/v1/nothing-here", null, null, erp), 404, "not_found");
        problem(server.send("GET", "/v2/sync/pull", null, null, driver), 400, "unsupported_protocol_version");
        HttpResponse<String> header = server.send("GET", "/v1/sync/pull", null, null, driver);
        assertEquals(200, header.statusCode());
        var req = java.net.http.HttpRequest.newBuilder(server.uri().resolve("/v1/sync/pull"))
                .header("Authorization", "Bearer " + driver)
                .header("Podsync-Protocol-Version", "2.0")
                .build();
        try {
            var res = java.net.http.HttpClient.newHttpClient()
                    .send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            problem(res, 400, "unsupported_protocol_version");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        problem(server.send("GET", "/v1/routes/bad%20id", null, null, erp), 400, "validation_failed");
    }

    @Test
    void correlationIdsAreEchoed() {
        var req = java.net.http.HttpRequest.newBuilder(server.uri().resolve("/v1/nothing"))
                .header("Authorization", "Bearer " + erp)
                .header("X-Correlation-Id", "order-4711-abc")
                .build();
        try {
            var res = java.net.http.HttpClient.newHttpClient()
                    .send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(
                    "order-4711-abc",
                    res.headers().firstValue("x-correlation-id").orElse(""));
            assertEquals(
                    "order-4711-abc",
                    ProtocolJson.read(res.body(), JsonNode.class)
                            .get("correlationId")
                            .asText());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRouteAbsent(String routeId) {
        problem(server.send("GET", "/v1/routes/" + routeId, null, null, erp), 404, "route_not_found");
    }
}
