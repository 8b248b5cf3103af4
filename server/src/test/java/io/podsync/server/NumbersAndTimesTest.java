package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.json.ProtocolJson;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers and times at the edges: each out-of-range event is rejected with its field named and the rest of its batch
 * applied; an out-of-range envelope is a 400. Never a 500 (which the app would resend forever).
 */
class NumbersAndTimesTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static TestServer.Device device;
    static long seq;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of());
        server.erp().releaseRoute("RN", Fixtures.route("RN", "DN", 3));
        device = server.device("DN");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String event(String type, String capturedAt, String payload) {
        return """
                {"idempotencyKey":"%s","seq":%d,"type":"%s","stopId":"RN-S1","capturedAt":"%s"%s}""".formatted(
                        UUID.randomUUID(), ++seq, type, capturedAt, payload == null ? "" : ",\"payload\":" + payload);
    }

    private static String note() {
        return event("note", Instant.now().toString(), "{\"note\":\"fine\"}");
    }

    private static JsonNode push(String sentAt, String... events) {
        HttpResponse<String> r = server.postJson(
                "/v1/sync/push",
                "{\"sentAt\":\"" + sentAt + "\",\"events\":[" + String.join(",", events) + "]}",
                device.token());
        assertFalse(r.statusCode() >= 500, r.body());
        return ProtocolJson.read(r.body(), JsonNode.class);
    }

    /** The first event is refused with {@code code} on {@code field}; the second, valid one is applied. */
    private static void rejectedBesideAnApplied(String bad, String code, String field) {
        JsonNode res = push(Instant.now().toString(), bad, note());
        JsonNode first = res.get("results").get(0);
        assertEquals("rejected", first.get("verdict").asText(), res.toString());
        assertEquals(code, first.get("reason").asText(), res.toString());
        assertEquals(field, first.get("field").asText(), res.toString());
        assertEquals("applied", res.get("results").get(1).get("verdict").asText(), res.toString());
    }

    @Test
    void hugeExponentsInQuantitiesAndCoordinatesAreOutOfRange() {
        for (String n : new String[] {"1e999999999", "1e2147483647", "1e5000000", "-1e-999999999", "123456789012345"}) {
            rejectedBesideAnApplied(
                    event(
                            "delivered",
                            Instant.now().toString(),
                            "{\"lines\":[{\"orderId\":\"RN-O1\",\"lineId\":\"L1\",\"delivered\":" + n + "}]}"),
                    "out_of_range",
                    "events[0].payload.lines[0].delivered");
        }
        rejectedBesideAnApplied(
                event("arrived", Instant.now().toString(), "{\"location\":{\"lat\":1e999999999,\"lon\":4.9}}"),
                "out_of_range",
                "events[0].payload.location.lat");
        rejectedBesideAnApplied(
                event("arrived", Instant.now().toString(), "{\"location\":{\"lat\":52.3,\"lon\":-1e400}}"),
                "out_of_range",
                "events[0].payload.location.lon");
    }

    /** An exponent past what a number can hold at all: the document cannot be read, a 400 like any malformed one. */
    @Test
    void anExponentBeyondAnyNumberIsMalformedJson() {
        for (String n : new String[] {"1e-9999999999", "-1E+99999999999"}) {
            HttpResponse<String> r = server.postJson(
                    "/v1/sync/push",
                    "{\"sentAt\":\"" + Instant.now() + "\",\"events\":[" + note() + "],\"x\":" + n + "}",
                    device.token());
            assertEquals(400, r.statusCode(), n + ": " + r.body());
            assertEquals(
                    "malformed_json",
                    ProtocolJson.read(r.body(), JsonNode.class).get("code").asText());
        }
    }

    @Test
    void aHugeNumberInAFieldNobodyReadsCostsNothing() {
        // unknown fields are ignored (newer minor versions add some), whatever their numbers
        JsonNode res = push(
                Instant.now().toString(),
                event("note", Instant.now().toString(), "{\"note\":\"x\",\"futureField\":1e1000000000}"));
        assertEquals("applied", res.get("results").get(0).get("verdict").asText(), res.toString());
        // and an invalid event carrying one is judged on what is wrong with it
        JsonNode bad = push(Instant.now().toString(), """
                {"idempotencyKey":"%s","seq":%d,"type":"note","capturedAt":"%s","x":1e1000000000}""".formatted(UUID.randomUUID(), ++seq, Instant.now()));
        assertEquals("required", bad.get("results").get(0).get("reason").asText(), bad.toString());
    }

    @Test
    void captureTimesOutsideTheProtocolsRangeAreRejectedOnTheirOwn() {
        for (String t :
                new String[] {"+1000000000-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "1969-12-31T23:59:59Z"}) {
            rejectedBesideAnApplied(event("arrived", t, null), "out_of_range", "events[0].capturedAt");
        }
        // a phone whose clock fell back to 1970 still delivers: its times are corrected by the measured offset
        JsonNode res = push("1970-01-01T00:10:00Z", event("arrived", "1970-01-01T00:09:00Z", null));
        assertEquals("applied", res.get("results").get(0).get("verdict").asText(), res.toString());
    }

    @Test
    void anUnparseableTimeHasOneCodeWhereverItIs() {
        rejectedBesideAnApplied(event("arrived", "yesterday", null), "invalid_format", "events[0].capturedAt");
        HttpResponse<String> r =
                server.postJson("/v1/sync/push", "{\"sentAt\":\"yesterday\",\"events\":[]}", device.token());
        assertEquals(400, r.statusCode());
        assertEquals(
                "invalid_format",
                ProtocolJson.read(r.body(), JsonNode.class).get("code").asText());
    }

    @Test
    void aSentAtOutsideTheRangeIsABadRequest() {
        for (String t : new String[] {"+1000000000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"}) {
            HttpResponse<String> r = server.postJson(
                    "/v1/sync/push", "{\"sentAt\":\"" + t + "\",\"events\":[" + note() + "]}", device.token());
            assertEquals(400, r.statusCode(), r.body());
            JsonNode p = ProtocolJson.read(r.body(), JsonNode.class);
            assertEquals("out_of_range", p.get("code").asText());
            assertEquals("sentAt", p.get("field").asText());
        }
    }

    @Test
    void aReleaseWithTimesOrNumbersOutOfRangeNamesThem() {
        String erp = server.erp().authenticate().accessToken();
        String route = """
                {"driverId":"DN","serviceDate":"%s","stops":[{"stopId":"RN2-S1","sequence":1,
                 "location":{"lat":52.0,"lon":4.0},"timeWindow":{"start":"%s","end":"2026-11-23T12:00:00Z"},
                 "orders":[{"orderId":"RN2-O1","lines":[{"lineId":"L1","quantity":%s}]}]}]}""";
        String[][] cases = {
            {"2026-11-23", "+1000000000-01-01T00:00:00Z", "1", "stops[0].timeWindow.start"},
            {"+20000-01-01", "2026-11-23T10:00:00Z", "1", "serviceDate"},
            {"2026-11-23", "2026-11-23T10:00:00Z", "1e999999999", "stops[0].orders[0].lines[0].quantity"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r =
                    server.send("PUT", "/v1/routes/RN2", "application/json", route.formatted(c[0], c[1], c[2]), erp);
            assertEquals(400, r.statusCode(), r.body());
            JsonNode p = ProtocolJson.read(r.body(), JsonNode.class);
            assertEquals(c[3], p.get("field").asText(), r.body());
        }
    }
}
