package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} in Prometheus' conventions: promtool (Prometheus' own parser and linter) finds nothing to say about
 * the exposition, a real Prometheus scrapes it with OAuth 2.0 client credentials and with a static credential from a
 * file, and the usual families (HTTP by route template and status, JVM, HikariCP, database writes) are there.
 */
class MetricsTest {
    static final String SCRAPE_TOKEN = "scrape-token-0123456789abcdefghijklmnop";

    @TempDir
    Path dir;

    /** The value of the sample {@code name{labels}} (labels as Micrometer writes them, sorted), or 0 when absent. */
    static double sample(String metrics, String name, String labels) {
        Matcher m = Pattern.compile(
                        "(?m)^" + Pattern.quote(name + (labels.isEmpty() ? "" : "{" + labels + "}")) + " (\\S+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static String scrape(TestServer server) {
        HttpResponse<String> res = server.send(
                "GET", "/metrics", null, null, server.ops().authenticate().accessToken());
        assertEquals(200, res.statusCode(), res.body());
        return res.body();
    }

    private TestServer start(Map<String, String> more) throws IOException {
        Path token = dir.resolve("scrape-token");
        Files.writeString(token, SCRAPE_TOKEN + "\n");
        return TestServer.start(
                dir.resolve("server"),
                TestServer.with(
                        Map.of(
                                "podsync.metrics.scrape-token-file", token.toString(),
                                "podsync.auth.clients.2.id", "prometheus",
                                "podsync.auth.clients.2.secret", "prometheus-secret-0123456789",
                                "podsync.auth.clients.2.scopes.0", "metrics"),
                        more));
    }

    @Test
    void eventsAreCountedByVerdictAndType() throws Exception {
        try (TestServer server = start(Map.of())) {
            server.erp().releaseRoute("RX", Fixtures.route("RX", "DX", 2));
            TestServer.Device device = server.device("DX");
            Instant t = Instant.now().minusSeconds(60);
            List<Verdict> verdicts = device
                    .client()
                    .push(new PushRequest(
                            Instant.now(),
                            List.of(
                                    Fixtures.arrived(1, "RX-S1", t),
                                    Fixtures.arrived(2, "RX-S2", t),
                                    Fixtures.event("mx-3", 3, EventType.ARRIVED, "NOT-MINE", t, null))))
                    .results()
                    .stream()
                    .map(r -> r.verdict())
                    .toList();
            assertEquals(List.of(Verdict.APPLIED, Verdict.APPLIED, Verdict.REJECTED), verdicts);
            device.client()
                    .push(new PushRequest(
                            Instant.now(), List.of(Fixtures.event("mx-3", 3, EventType.ARRIVED, "NOT-MINE", t, null))));

            String metrics = scrape(server);
            assertEquals(2.0, sample(metrics, "podsync_events_total", "type=\"arrived\",verdict=\"applied\""), metrics);
            assertEquals(1.0, sample(metrics, "podsync_events_total", "type=\"arrived\",verdict=\"rejected\""));
            assertEquals(1.0, sample(metrics, "podsync_events_total", "type=\"arrived\",verdict=\"duplicate\""));

            assertEquals(
                    403,
                    server.send("GET", "/metrics", null, null, device.token()).statusCode());
            assertEquals(401, server.send("GET", "/metrics", null, null, null).statusCode());
        }
    }

    @Test
    void theUsualFamiliesAreThereInBaseUnitsAndByRouteTemplate() throws Exception {
        try (TestServer server = start(Map.of())) {
            String erp = server.erp().authenticate().accessToken();
            assertEquals(
                    404, server.send("GET", "/v1/routes/NOPE", null, null, erp).statusCode());
            assertEquals(
                    404,
                    server.send("GET", "/some/scanner/path", null, null, null).statusCode());
            assertEquals(
                    401,
                    server.send("GET", "/v1/ops/exceptions", null, null, null).statusCode());
            assertEquals(
                    303,
                    server.send("GET", "/ops/exceptions/12", null, null, null).statusCode());
            server.erp().releaseRoute("RH", Fixtures.route("RH", "DH", 1));

            String m = scrape(server);
            assertEquals(
                    1.0,
                    sample(
                            m,
                            "http_server_requests_seconds_count",
                            "method=\"GET\",route=\"/ops/exceptions/{id}\",status=\"303\""),
                    "the console's pages are counted by page");
            assertEquals(
                    1.0,
                    sample(
                            m,
                            "http_server_requests_seconds_count",
                            "method=\"GET\",route=\"/v1/routes/{routeId}\",status=\"404\""),
                    m);
            assertEquals(
                    1.0,
                    sample(
                            m,
                            "http_server_requests_seconds_count",
                            "method=\"PUT\",route=\"/v1/routes/{routeId}\",status=\"200\""));
            assertEquals(
                    1.0,
                    sample(
                            m,
                            "http_server_requests_seconds_count",
                            "method=\"GET\",route=\"unmatched\",status=\"404\""),
                    "paths no route serves share one series");
            assertEquals(
                    1.0,
                    sample(
                            m,
                            "http_server_requests_seconds_count",
                            "method=\"GET\",route=\"/v1/ops/exceptions\",status=\"401\""),
                    "refusals of the authentication filter are counted too");
            assertTrue(
                    m.contains("http_server_requests_seconds_bucket{method=\"PUT\",route=\"/v1/routes/{routeId}\","
                            + "status=\"200\",le=\"0.005\"}"),
                    "HTTP timings are histograms");
            assertTrue(sample(m, "podsync_db_write_seconds_count", "db=\"sqlite\",outcome=\"committed\"") >= 1, m);
            assertTrue(m.contains("podsync_db_write_seconds_bucket{"), "database writes are a histogram");
            assertTrue(m.contains("hikaricp_connections_active{pool=\"podsync-reader\"}"), "the HikariCP pools");
            for (String family : List.of(
                    "jvm_memory_used_bytes",
                    "jvm_gc_live_data_size_bytes",
                    "jvm_threads_live_threads",
                    "jvm_classes_loaded_classes",
                    "process_cpu_usage",
                    "process_uptime_seconds",
                    "podsync_erp_confirmation_latency_seconds_bucket",
                    "podsync_events_evidence_released_total")) {
                assertTrue(m.contains("\n" + family), family + " is missing");
            }
            assertFalse(m.contains("quantile="), "no summaries: their quantiles do not add up across replicas");
        }
    }

    @Test
    void promtoolFindsNothingToSayAboutTheExposition() throws Exception {
        try (TestServer server = start(Map.of())) {
            server.erp().releaseRoute("RP", Fixtures.route("RP", "DP", 1));
            TestServer.Device device = server.device("DP");
            device.client()
                    .push(new PushRequest(
                            Instant.now(),
                            List.of(Fixtures.arrived(1, "RP-S1", Instant.now().minusSeconds(5)))));
            String metrics = scrape(server);
            Process promtool = new ProcessBuilder("promtool", "check", "metrics")
                    .redirectErrorStream(true)
                    .start();
            promtool.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
            promtool.getOutputStream().close();
            String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(promtool.waitFor(30, TimeUnit.SECONDS));
            assertEquals("", said.trim(), "promtool check metrics");
            assertEquals(0, promtool.exitValue(), said);
        }
    }

    @Test
    void aScrapeClientAndTheStaticCredentialReachMetricsAndNothingElse() throws Exception {
        try (TestServer server = start(Map.of())) {
            String scraper = new io.podsync.protocol.client.PodsyncClient(server.uri())
                    .useClient("prometheus", "prometheus-secret-0123456789")
                    .authenticate()
                    .accessToken();
            assertEquals(
                    200, server.send("GET", "/metrics", null, null, scraper).statusCode());
            assertEquals(
                    403,
                    server.send("GET", "/v1/ops/exceptions", null, null, scraper)
                            .statusCode());
            assertEquals(
                    200,
                    server.send("GET", "/metrics", null, null, SCRAPE_TOKEN).statusCode());
            assertEquals(
                    401,
                    server.send("GET", "/v1/ops/exceptions", null, null, SCRAPE_TOKEN)
                            .statusCode());
            assertEquals(
                    401,
                    server.send("GET", "/metrics", null, null, SCRAPE_TOKEN + "x")
                            .statusCode());
        }
    }

    @Test
    void aShortOrMissingScrapeCredentialStopsTheStartNamingTheKey() throws Exception {
        Path shortToken = dir.resolve("short");
        Files.writeString(shortToken, "too-short");
        for (String file : List.of(shortToken.toString(), dir.resolve("missing").toString())) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class,
                    () -> TestServer.start(dir.resolve("s"), Map.of("podsync.metrics.scrape-token-file", file))
                            .close());
            assertTrue(e.getMessage().contains("podsync.metrics.scrape-token-file"), e.getMessage());
        }
    }

    /**
     * A stock Prometheus (Debian's) scrapes the server with its {@code oauth2} option (client credentials at the
     * token endpoint) and, in a second job, with {@code authorization: credentials_file}; both targets are up and the
     * server's series are in Prometheus' database.
     */
    @Test
    void aRealPrometheusScrapesWithOAuth2AndWithACredentialsFile() throws Exception {
        try (TestServer server = start(Map.of())) {
            Path secret = dir.resolve("prometheus-secret");
            Files.writeString(secret, "prometheus-secret-0123456789");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String target = "127.0.0.1:" + server.server().port();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: podsync-oauth2
                        metrics_path: /metrics
                        oauth2:
                          client_id: prometheus
                          client_secret_file: %s
                          token_url: http://%s/v1/auth/token
                        static_configs:
                          - targets: ["%s"]
                      - job_name: podsync-static
                        metrics_path: /metrics
                        authorization:
                          credentials_file: %s
                        static_configs:
                          - targets: ["%s"]
                    """.formatted(secret, target, target, dir.resolve("scrape-token"), target));
            Process prometheus = new ProcessBuilder(
                            "prometheus",
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + dir.resolve("tsdb"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                for (String job : List.of("podsync-oauth2", "podsync-static")) {
                    TestServer.await(
                            () -> "1".equals(query(http, port, "up{job=\"" + job + "\"}")),
                            job + " scraped (see prometheus.log)");
                    TestServer.await(
                            () -> query(http, port, "count(http_server_requests_seconds_count{job=\"" + job + "\"})")
                                    != null,
                            job + "'s HTTP series stored");
                }
            } finally {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The value of an instant query's first result, or null (no answer yet, or no result). */
    private static String query(HttpClient http, int port, String promql) {
        try {
            HttpResponse<String> res = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                                    + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode result =
                    ProtocolJson.read(res.body(), JsonNode.class).path("data").path("result");
            return result.isEmpty() ? null : result.get(0).get("value").get(1).asText();
        } catch (IOException | RuntimeException e) {
            return null; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
