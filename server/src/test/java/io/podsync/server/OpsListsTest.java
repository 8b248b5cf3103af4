package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.json.ProtocolJson;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operations' lists: routes with their progress, devices with what an operator needs to find a lost phone or a stuck
 * app, a stop's events; paged by key; and every list (these and the older ones) refuses a parameter it does not take
 * or cannot read, naming it.
 */
class OpsListsTest {
    static TestServer server;
    static String ops;
    static TestServer.Device a1;
    static TestServer.Device a2;
    static TestServer.Device b;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        server = TestServer.start(dir, db);
        ops = server.ops().authenticate().accessToken();
        server.erp().releaseRoute("OL-A", Fixtures.route("OL-A", "D-A", 3));
        RouteRelease other = Fixtures.route("OL-B", "D-B", 2);
        server.erp()
                .releaseRoute(
                        "OL-B", new RouteRelease(other.driverId(), null, LocalDate.of(2026, 11, 24), other.stops()));
        a1 = server.device("D-A");
        a2 = server.device("D-A");
        b = server.device("D-B");
        Instant t = Instant.now().minusSeconds(120);
        a1.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(
                                Fixtures.arrived(1, "OL-A-S1", t),
                                Fixtures.event(
                                        "ol-d1",
                                        2,
                                        EventType.DELIVERED,
                                        "OL-A-S1",
                                        t.plusSeconds(30),
                                        Fixtures.fullDelivery("OL-A-O1")),
                                Fixtures.event("ol-x", 3, EventType.ARRIVED, "NOT-A-STOP", t, null))));
        a2.client().push(new PushRequest(Instant.now(), List.of(Fixtures.arrived(1, "OL-A-S1", t.plusSeconds(5)))));
        b.client()
                .push(new PushRequest(Instant.now(), List.of(Fixtures.deliveryWithPhoto("OL-B", 1, "ab".repeat(32)))));
        return server;
    });

    private static JsonNode get(String path) {
        HttpResponse<String> res = server.send("GET", path, null, null, ops);
        assertEquals(200, res.statusCode(), path + ": " + res.body());
        return ProtocolJson.read(res.body(), JsonNode.class);
    }

    private static List<String> ids(JsonNode page, String field) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(i -> out.add(i.get(field).asText()));
        return out;
    }

    @Test
    void routesWithTheirProgressByDateDriverAndStatus() {
        JsonNode all = get("/v1/ops/routes");
        assertEquals(List.of("OL-A", "OL-B"), ids(all, "routeId"));
        JsonNode a = all.get("items").get(0);
        assertEquals("2026-11-23", a.get("serviceDate").asText());
        assertEquals("D-A", a.get("driverId").asText());
        assertEquals(3, a.get("stops").asInt());
        assertEquals(1, a.get("progress").get("delivered").asInt(), a.toString());
        assertEquals(2, a.get("progress").get("pending").asInt(), a.toString());

        assertEquals(List.of("OL-B"), ids(get("/v1/ops/routes?serviceDate=2026-11-24"), "routeId"));
        assertEquals(List.of("OL-A"), ids(get("/v1/ops/routes?driverId=D-A&status=active"), "routeId"));
        assertEquals(List.of(), ids(get("/v1/ops/routes?status=cancelled"), "routeId"));

        JsonNode first = get("/v1/ops/routes?limit=1");
        assertEquals(List.of("OL-A"), ids(first, "routeId"));
        assertEquals("OL-A", first.get("nextAfter").asText());
        JsonNode second = get("/v1/ops/routes?limit=1&after=OL-A");
        assertEquals(List.of("OL-B"), ids(second, "routeId"));
        assertEquals(List.of(), ids(get("/v1/ops/routes?limit=1&after=OL-B"), "routeId"));
    }

    @Test
    void devicesWithVersionLastSyncLastErrorAndMissingEvidence() throws Exception {
        // an error answered to a device is remembered (after the answer, on a thread of its own)
        assertEquals(
                403,
                server.send("GET", "/v1/routes/OL-B", null, null, a2.token()).statusCode());
        TestServer.await(
                () -> "403 route_not_assigned"
                        .equals(device(a2.id()).path("lastError").asText()),
                "a2's last error");
        JsonNode d1 = device(a1.id());
        assertEquals("D-A", d1.get("driverId").asText());
        assertEquals("active", d1.get("status").asText());
        assertEquals("rejected stop_not_assigned", d1.get("lastError").asText(), d1.toString());
        assertTrue(d1.has("lastSyncAt"), d1.toString());
        assertTrue(d1.has("clockOffsetMillis"), d1.toString());
        assertEquals(0, d1.get("evidenceMissing").asInt());
        assertEquals("1.0", d1.get("appVersion").asText());
        TestServer.await(() -> device(a1.id()).has("protocolVersion"), "the protocol version the client sends");
        assertEquals(1, device(b.id()).get("evidenceMissing").asInt(), "b's delivery waits for its photo");

        assertEquals(List.of(b.id()), ids(get("/v1/ops/devices?driverId=D-B"), "deviceId"));
        List<String> ofA = ids(get("/v1/ops/devices?driverId=D-A&status=active"), "deviceId");
        assertEquals(2, ofA.size());
        JsonNode page = get("/v1/ops/devices?driverId=D-A&limit=1");
        assertEquals(List.of(ofA.get(0)), ids(page, "deviceId"));
        assertEquals(
                List.of(ofA.get(1)),
                ids(
                        get("/v1/ops/devices?driverId=D-A&limit=1&after="
                                + page.get("nextAfter").asText()),
                        "deviceId"));
        assertEquals(List.of(), ids(get("/v1/ops/devices?driverId=D-A&status=revoked"), "deviceId"));
    }

    @Test
    void aRevokedDeviceSaysWhoRevokedItAndWhenAndARevocationAgainKeepsTheFirst() {
        TestServer.Device r = server.device("D-R");
        assertTrue(!device(r.id()).path("revokedBy").isTextual(), "not revoked yet");
        long before = System.currentTimeMillis();
        assertEquals(
                200,
                server.send("POST", "/v1/devices/" + r.id() + "/revoke", null, null, ops)
                        .statusCode());
        JsonNode d = device(r.id());
        assertEquals("revoked", d.get("status").asText());
        assertEquals("ops", d.get("revokedBy").asText(), d.toString());
        Instant at = Instant.parse(d.get("revokedAt").asText());
        assertTrue(at.toEpochMilli() >= before, d.toString());
        assertEquals(List.of(r.id()), ids(get("/v1/ops/devices?driverId=D-R&status=revoked"), "deviceId"));
        assertEquals(
                200,
                server.send("POST", "/v1/devices/" + r.id() + "/revoke", null, null, ops)
                        .statusCode());
        assertEquals(
                d.get("revokedAt").asText(), device(r.id()).get("revokedAt").asText());
        assertEquals(
                401, server.send("GET", "/v1/sync/pull", null, null, r.token()).statusCode());
    }

    private static JsonNode device(String id) {
        for (JsonNode d : get("/v1/ops/devices?limit=1000").get("items")) {
            if (d.get("deviceId").asText().equals(id)) {
                return d;
            }
        }
        throw new AssertionError("no device " + id);
    }

    @Test
    void aStopsEventsInTheOrderTheyArrivedWithTheirVerdicts() {
        JsonNode events = get("/v1/ops/stops/OL-A-S1/events");
        List<String> types = new ArrayList<>();
        events.get("items")
                .forEach(e -> types.add(
                        e.get("deviceId").asText() + " " + e.get("type").asText()));
        assertEquals(
                List.of(a1.id() + " arrived", a1.id() + " delivered", a2.id() + " arrived"), types, events.toString());
        JsonNode delivered = events.get("items").get(1);
        assertEquals("applied", delivered.get("verdict").asText());
        assertEquals("ol-d1", delivered.get("idempotencyKey").asText());
        assertEquals("delivered", delivered.get("event").get("type").asText());
        assertTrue(delivered.has("correlationId"));
        assertNull(events.get("nextAfter"));

        JsonNode first = get("/v1/ops/stops/OL-A-S1/events?limit=2");
        assertEquals(2, first.get("items").size());
        JsonNode rest = get("/v1/ops/stops/OL-A-S1/events?limit=2&after="
                + first.get("nextAfter").asText());
        assertEquals(1, rest.get("items").size());
        assertEquals(a2.id(), rest.get("items").get(0).get("deviceId").asText());
        assertEquals(0, get("/v1/ops/stops/NOBODY/events").get("items").size());
    }

    @Test
    void everyListRefusesWhatItCannotReadAndNamesIt() {
        String driver = a1.token();
        String[][] cases = {
            // path, token, code, field
            {"/v1/ops/outbox?stopId=S-1", ops, "unknown_parameter", "stopId"},
            {"/v1/ops/outbox?status=gone", ops, "unknown_value", "status"},
            {"/v1/ops/outbox?limit=x", ops, "invalid_format", "limit"},
            {"/v1/ops/outbox?status=dead&status=held", ops, "repeated_parameter", "status"},
            {"/v1/ops/exceptions?stop=S-1", ops, "unknown_parameter", "stop"},
            {"/v1/ops/exceptions?limit=0", ops, "out_of_range", "limit"},
            {"/v1/ops/exceptions?before=yesterday", ops, "invalid_format", "before"},
            {"/v1/sync/pull?since=5", driver, "unknown_parameter", "since"},
            {"/v1/ops/routes?date=2026-11-23", ops, "unknown_parameter", "date"},
            {"/v1/ops/routes?serviceDate=23.11.2026", ops, "invalid_format", "serviceDate"},
            {"/v1/ops/routes?status=done", ops, "unknown_value", "status"},
            {"/v1/ops/routes?limit=1001", ops, "out_of_range", "limit"},
            {"/v1/ops/devices?driver=D-A", ops, "unknown_parameter", "driver"},
            {"/v1/ops/devices?status=lost", ops, "unknown_value", "status"},
            {"/v1/ops/stops/OL-A-S1/events?verdict=applied", ops, "unknown_parameter", "verdict"},
            {"/v1/ops/stops/OL-A-S1/events?after=nonsense", ops, "invalid_format", "after"},
        };
        for (String[] c : cases) {
            HttpResponse<String> res = server.send("GET", c[0], null, null, c[1]);
            assertEquals(400, res.statusCode(), c[0] + ": " + res.body());
            JsonNode p = ProtocolJson.read(res.body(), JsonNode.class);
            assertEquals(c[2], p.get("code").asText(), c[0] + ": " + res.body());
            assertEquals(c[3], p.get("field").asText(), c[0]);
        }
        HttpResponse<String> badId = server.send("GET", "/v1/ops/devices?driverId=" + "x".repeat(200), null, null, ops);
        assertEquals(400, badId.statusCode());
        assertEquals(
                "driverId",
                ProtocolJson.read(badId.body(), JsonNode.class).get("field").asText());
    }

    @Test
    void onlyOpsReadsThem() {
        String erp = server.erp().authenticate().accessToken();
        for (String path : List.of("/v1/ops/routes", "/v1/ops/devices", "/v1/ops/stops/OL-A-S1/events")) {
            assertEquals(403, server.send("GET", path, null, null, erp).statusCode(), path);
            assertEquals(403, server.send("GET", path, null, null, a1.token()).statusCode(), path);
            assertEquals(401, server.send("GET", path, null, null, null).statusCode(), path);
        }
    }
}
