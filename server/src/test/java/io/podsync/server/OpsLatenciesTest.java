package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.podsync.protocol.EventType;
import io.podsync.protocol.LatencyKind;
import io.podsync.protocol.LatencySeries;
import io.podsync.protocol.LatencyWindow;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.auth.Principal;
import io.podsync.server.http.ProblemException;
import io.podsync.server.ops.OpsService;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/ops/latencies}: the business latencies of the last hour and day in buckets, read from the database
 * with the moments the histograms measure (their sums agree), and the same through {@link OpsService#latencies} for
 * the operations console. Its parameters are checked like every list's. {@link PostgresOpsLatenciesTest} runs this on
 * PostgreSQL.
 */
class OpsLatenciesTest {
    /** Real time passes between the clock's readings while the test runs: latencies are within this of the script. */
    private static final double SLACK_SECONDS = 5;

    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock();
    HttpServer erp;
    TestServer server;
    String ops;
    Instant t0;

    Map<String, String> database() {
        return SuiteServer.database(getClass());
    }

    @BeforeEach
    void start() throws Exception {
        erp = BusinessMetricsTest.erpStub(() -> 200);
        server = TestServer.start(
                dir, TestServer.withErp(database(), BusinessMetricsTest.hook(erp), ErpForwardingTest.SECRET), clock);
        // the script starts a second after the hour, so its first minutes share one bucket of either width
        long hour = Duration.ofHours(1).toMillis();
        long now = clock.millis();
        long start = Math.floorDiv(now, hour) * hour + hour;
        clock.advance(Duration.ofMillis(start + 1000 - now));
        t0 = Instant.ofEpochMilli(start);
        ops = server.ops().authenticate().accessToken();
    }

    @AfterEach
    void stop() {
        server.close();
        erp.stop(0);
    }

    private JsonNode latencies(String query) {
        HttpResponse<String> res = server.send(
                "GET",
                "/v1/ops/latencies?" + query,
                null,
                null,
                server.ops().authenticate().accessToken());
        assertEquals(200, res.statusCode(), res.body());
        return ProtocolJson.read(res.body(), JsonNode.class);
    }

    /** The buckets that counted something: {start in minutes after the hour the script began, count, p50, p90}. */
    private List<double[]> filled(JsonNode series) {
        List<double[]> out = new ArrayList<>();
        for (JsonNode b : series.get("buckets")) {
            if (b.get("count").asInt() > 0) {
                out.add(new double[] {
                    Duration.between(t0, Instant.parse(b.get("start").asText())).toSeconds() / 60.0,
                    b.get("count").asInt(),
                    b.get("p50Seconds").asDouble(),
                    b.get("p90Seconds").asDouble()
                });
            }
        }
        return out;
    }

    private static void assertBucket(double[] bucket, double minutes, int count, double p50, double p90) {
        assertEquals(minutes, bucket[0], 0.001, "bucket start (minutes after the hour the script began)");
        assertEquals(count, (int) bucket[1], "count");
        assertEquals(p50, bucket[2], SLACK_SECONDS, "p50");
        assertEquals(p90, bucket[3], SLACK_SECONDS, "p90");
    }

    @Test
    void theLastHourAndDayInBucketsWithTheHistogramsMoments() throws Exception {
        for (String r : List.of("LA", "LB", "LC")) {
            server.erp().releaseRoute(r, Fixtures.route(r, "D" + r, 2));
        }
        TestServer.Device a = server.device("DLA");
        TestServer.Device a2 = server.device("DLA");
        TestServer.Device b = server.device("DLB");
        TestServer.Device c = server.device("DLC");

        // dispatches 2, 4 and 10 minutes after the release; a second phone of the first driver dispatches nothing
        clock.advance(Duration.ofMinutes(2));
        a.client().pull(null, 100);
        clock.advance(Duration.ofMinutes(2));
        b.client().pull(null, 100);
        clock.advance(Duration.ofMinutes(6));
        c.client().pull(null, 100);
        clock.advance(Duration.ofMinutes(1));
        a2.client().pull(null, 100);

        JsonNode hour = latencies("kind=order_to_dispatch&window=PT1H");
        assertEquals("order_to_dispatch", hour.get("kind").asText());
        assertEquals("PT1H", hour.get("window").asText());
        assertFalse(hour.get("truncated").asBoolean());
        assertEquals(12, hour.get("buckets").size());
        Instant first = Instant.parse(hour.get("buckets").get(0).get("start").asText());
        Instant last = Instant.parse(hour.get("buckets").get(11).get("start").asText());
        assertEquals(Duration.ofMinutes(55), Duration.between(first, last), "5-minute buckets, oldest first");
        assertNull(hour.get("buckets").get(0).get("p50Seconds"), "an empty bucket has no percentiles");
        List<double[]> h = filled(hour);
        assertEquals(2, h.size(), hour.toString());
        assertBucket(h.get(0), 0, 2, 120, 240); // nearest rank: the 1st of 2, then the 2nd
        assertBucket(h.get(1), 10, 1, 600, 600);

        JsonNode day = latencies("kind=order_to_dispatch&window=P1D");
        assertEquals(24, day.get("buckets").size());
        List<double[]> d = filled(day);
        assertEquals(1, d.size(), day.toString());
        assertEquals(3, (int) d.get(0)[1]);
        assertEquals(240, d.get(0)[2], SLACK_SECONDS);
        assertEquals(600, d.get(0)[3], SLACK_SECONDS);

        // the first driver delivers a stop captured at 29 minutes and pushed at 30: dispatch (2 minutes) to
        // confirmation 28 minutes; the ERP acknowledges at once, a minute after the capture. The phone's clock is 10
        // minutes behind: the capture counts on the server's clock (corrected by the offset the push measured)
        clock.advance(Duration.ofMinutes(19));
        Instant phone = clock.instant().minus(Duration.ofMinutes(10));
        a.client()
                .push(new PushRequest(
                        phone,
                        List.of(Fixtures.event(
                                "lat-1",
                                1,
                                EventType.DELIVERED,
                                "LA-S1",
                                phone.minusSeconds(60),
                                Fixtures.fullDelivery("LA-O1")))));
        TestServer.await(
                () -> latencies("kind=pod_posting&window=PT1H")
                                .get("buckets")
                                .get(11)
                                .get("count")
                                .asInt()
                        == 1,
                "the ERP's acknowledgement");
        List<double[]> confirmed = filled(latencies("kind=dispatch_to_confirmation"));
        assertEquals(1, confirmed.size());
        assertBucket(confirmed.get(0), 30, 1, 28 * 60, 28 * 60);
        List<double[]> posted = filled(latencies("kind=pod_posting&window=PT1H"));
        assertBucket(posted.get(0), 30, 1, 60, 60);

        // the histograms measured the same moments
        String m = MetricsTest.scrape(server);
        assertEquals(
                120 + 240 + 600,
                MetricsTest.sample(m, "podsync_order_to_dispatch_seconds_sum", ""),
                3 * SLACK_SECONDS,
                m);
        assertEquals(
                confirmed.get(0)[2], MetricsTest.sample(m, "podsync_dispatch_to_confirmation_seconds_sum", ""), 0.01);
        assertEquals(
                posted.get(0)[2],
                MetricsTest.sample(m, "podsync_pod_posting_seconds_sum", "outcome=\"delivered\""),
                0.01);

        // an hour and more later the hour is empty and the day still holds them
        clock.advance(Duration.ofMinutes(70));
        assertEquals(List.of(), filled(latencies("kind=order_to_dispatch&window=PT1H")));
        assertEquals(
                3, (int) filled(latencies("kind=order_to_dispatch&window=P1D")).get(0)[1]);

        // the operations console calls the service itself, with the caller's principal
        OpsService service = new OpsService(server.server().database(), clock);
        LatencySeries direct = service.latencies(
                new Principal("ops", Set.of("ops"), null), LatencyKind.POD_POSTING, LatencyWindow.DAY);
        assertEquals(
                1,
                direct.buckets().stream().mapToInt(LatencySeries.Bucket::count).sum());
        ProblemException refused = assertThrows(
                ProblemException.class,
                () -> service.latencies(
                        new Principal("DLA", Set.of("driver"), "some-device"),
                        LatencyKind.POD_POSTING,
                        LatencyWindow.DAY));
        assertEquals(403, refused.status());
    }

    @Test
    void parametersAreCheckedAndNamed() {
        for (String[] bad : new String[][] {
            {"kind=nope", "kind", "unknown_value"},
            {"", "kind", "required"},
            {"window=PT1H", "kind", "required"},
            {"kind=pod_posting&window=PT2H", "window", "unknown_value"},
            {"kind=pod_posting&since=PT1H", "since", "unknown_parameter"},
            {"kind=pod_posting&kind=pod_posting", "kind", "repeated_parameter"},
        }) {
            HttpResponse<String> res = server.send("GET", "/v1/ops/latencies?" + bad[0], null, null, ops);
            assertEquals(400, res.statusCode(), bad[0] + ": " + res.body());
            JsonNode problem = ProtocolJson.read(res.body(), JsonNode.class);
            assertEquals(bad[1], problem.get("field").asText(), bad[0] + ": " + res.body());
            assertEquals(bad[2], problem.get("code").asText(), bad[0] + ": " + res.body());
        }
        String driver = server.device("D-1").token();
        assertEquals(
                403,
                server.send("GET", "/v1/ops/latencies?kind=pod_posting", null, null, driver)
                        .statusCode());
        assertEquals(
                401,
                server.send("GET", "/v1/ops/latencies?kind=pod_posting", null, null, null)
                        .statusCode());
    }
}
