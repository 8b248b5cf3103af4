package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.jdbc.Database;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health at {@code /observe/health} (live, ready, started) with the old paths as aliases, all public; a path that no
 * route serves is 404 with or without a token, and every real resource still needs one.
 */
class HealthAndPathsTest {
    @TempDir
    Path dir;

    private static JsonNode json(HttpResponse<String> res) {
        return ProtocolJson.read(res.body(), JsonNode.class);
    }

    @Test
    void theProbesArePublicAtBothPaths() {
        try (TestServer server = TestServer.start(dir)) {
            for (String base : List.of("/observe/health", "/health")) {
                for (String probe : List.of("/live", "/ready", "/started")) {
                    HttpResponse<String> res = server.send("GET", base + probe, null, null, null);
                    assertEquals(200, res.statusCode(), base + probe + ": " + res.body());
                    assertEquals("UP", json(res).get("status").asText());
                }
            }
            assertEquals(
                    "UP",
                    json(server.send("GET", "/observe/health/ready", null, null, null))
                            .path("checks")
                            .path("database")
                            .asText());
        }
    }

    @Test
    void unknownPathsAre404AndRealResourcesStillNeedAToken() {
        try (TestServer server = TestServer.start(dir)) {
            String ops = server.ops().authenticate().accessToken();
            for (String path : List.of(
                    "/nope", "/v1/nothing-here", "/v1/ops/nope", "/observe/metrics", "/v1/routes", "/ops/nope")) {
                for (String token : new String[] {null, ops}) {
                    HttpResponse<String> res = server.send("GET", path, null, null, token);
                    assertEquals(404, res.statusCode(), path + " " + res.body());
                    assertEquals("not_found", json(res).get("code").asText());
                }
            }
            // the console's pages are served paths: without a session they send the browser to sign in
            for (String path : List.of("/ops", "/ops/", "/ops/erp", "/ops/exceptions/7")) {
                HttpResponse<String> res = server.send("GET", path, null, null, null);
                assertEquals(303, res.statusCode(), path + " " + res.body());
                assertEquals(
                        "/ops/sign-in", res.headers().firstValue("location").orElse(""), path);
            }
            for (String[] r : List.of(
                    new String[] {"GET", "/v1/routes/R-1"},
                    new String[] {"POST", "/v1/sync/push"},
                    new String[] {"GET", "/v1/sync/pull"},
                    new String[] {"GET", "/v1/ops/exceptions"},
                    new String[] {"GET", "/v1/ops/outbox/7"},
                    new String[] {"GET", "/metrics"},
                    new String[] {"DELETE", "/v1/sync/push"}, // a real path with a method it lacks
                    new String[] {"GET", "/v1/artifacts/" + "ab".repeat(32)})) {
                HttpResponse<String> res = server.send(r[0], r[1], null, null, null);
                assertEquals(401, res.statusCode(), r[0] + " " + r[1] + ": " + res.body());
                assertEquals("missing_token", json(res).get("code").asText());
            }
        }
    }

    @Test
    void startedIsDownUntilTheServerHasStarted() throws Exception {
        ServerConfig cfg = ServerConfig.from(TestServer.config(dir, Map.of()));
        try (Database db = Database.open(cfg.db())) {
            var replicas = new io.podsync.server.ops.Replicas(
                    db, Clock.systemUTC(), "health-test", cfg.artifacts().identity(), cfg.heartbeatInterval());
            PodsyncServer.Services services = PodsyncServer.Services.create(cfg, db, Clock.systemUTC(), replicas);
            WebServer web = WebServer.builder()
                    .port(0)
                    .host("127.0.0.1")
                    .routing(r -> PodsyncServer.routing(r, services))
                    .build()
                    .start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI started = URI.create("http://127.0.0.1:" + web.port() + "/observe/health/started");
                HttpResponse<String> before =
                        http.send(HttpRequest.newBuilder(started).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, before.statusCode());
                assertEquals("DOWN", json(before).get("status").asText());
                services.health().markStarted();
                assertEquals(
                        200,
                        http.send(HttpRequest.newBuilder(started).build(), HttpResponse.BodyHandlers.ofString())
                                .statusCode());
            } finally {
                web.stop();
            }
        }
    }
}
