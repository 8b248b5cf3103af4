package io.podsync.server;

import static io.podsync.server.MetricsTest.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The business metrics move by what a scripted day of one route did, with the server's clock moved by hand: order to
 * dispatch, dispatch to confirmation, sync lag, POD posting time, exception resolution time and the open exceptions,
 * the outbox backlog, its oldest message and its dead letters through an ERP outage, failed sync volume, devices
 * silent and trace completeness. The gauges read the database ({@link PostgresBusinessMetricsTest} runs this on
 * PostgreSQL).
 */
class BusinessMetricsTest {
    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock();
    HttpServer erp;
    volatile int erpStatus = 200;
    TestServer server;

    /** The database this runs on: SQLite, or PostgreSQL with {@link OnPostgres}. */
    Map<String, String> database() {
        return SuiteServer.database(getClass());
    }

    /** An ERP at {@code /hook} that reads each webhook and answers {@code status} (asked at each request). */
    static HttpServer erpStub(IntSupplier status) throws IOException {
        HttpServer erp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        erp.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status.getAsInt(), -1);
            exchange.close();
        });
        erp.start();
        return erp;
    }

    static URI hook(HttpServer erp) {
        return URI.create("http://127.0.0.1:" + erp.getAddress().getPort() + "/hook");
    }

    @BeforeEach
    void start() throws Exception {
        erp = erpStub(() -> erpStatus);
        Map<String, String> c = new HashMap<>(database());
        c.putAll(TestServer.erpEndpoint(0, "erp", hook(erp), List.of(ErpForwardingTest.SECRET), List.of()));
        c.put("podsync.erp.retry-schedule.0", "PT0S");
        c.put("podsync.erp.retry-schedule.1", "PT1M");
        c.put("podsync.erp.poll-interval", "PT0.05S");
        c.put("podsync.sla.check-interval", "PT24H"); // the SLA timers would open exceptions of their own
        server = TestServer.start(dir, c, clock);
    }

    @AfterEach
    void stop() {
        server.close();
        erp.stop(0);
    }

    private String metrics() {
        return MetricsTest.scrape(server);
    }

    private double value(String name, String labels) {
        return sample(metrics(), name, labels);
    }

    private Instant now() {
        return clock.instant();
    }

    @Test
    void aScriptedDayMovesEveryBusinessMetricByWhatHappened() throws Exception {
        server.erp().releaseRoute("BM", Fixtures.route("BM", "DB", 3));
        TestServer.Device device = server.device("DB");
        String start = metrics();
        for (String series : List.of(
                "podsync_order_to_dispatch_seconds_count",
                "podsync_dispatch_to_confirmation_seconds_count",
                "podsync_pod_posting_seconds_count{outcome=\"failed\"}",
                "podsync_exception_resolution_seconds_count{kind=\"contradiction\"}",
                "podsync_sync_lag_seconds_count",
                "podsync_outbox_dead{endpoint=\"erp\"}",
                "podsync_devices_silent",
                "podsync_events_total{type=\"delivered\",verdict=\"conflict\"}",
                "podsync_events_total{type=\"arrived\",verdict=\"rejected\"}")) {
            assertTrue(start.contains("\n" + series + " 0"), series + " is there from the start, at zero\n" + start);
        }
        // trace completeness: the released route is a link missing until a device of its driver pulls it
        assertEquals(1, sample(start, "podsync_trace_missing", "link=\"not_dispatched\""), start);
        assertEquals(0, sample(start, "podsync_trace_missing", "link=\"artifact_missing\""), start);

        // order to dispatch: the driver's phone pulls the route 10 minutes after its release
        clock.advance(Duration.ofMinutes(10));
        device.client().pull(null, 100);
        String m = metrics();
        assertEquals(1, sample(m, "podsync_order_to_dispatch_seconds_count", ""), m);
        assertEquals(600, sample(m, "podsync_order_to_dispatch_seconds_sum", ""), 1);
        assertEquals(0, sample(m, "podsync_trace_missing", "link=\"not_dispatched\""), m);
        assertEquals(0, sample(m, "podsync_order_to_dispatch_seconds_bucket", "le=\"300.0\""));
        assertEquals(1, sample(m, "podsync_order_to_dispatch_seconds_bucket", "le=\"900.0\""));

        // 20 minutes later a delivery captured a minute before the push: sync lag 60 s, dispatch to confirmation 20
        // minutes, and the ERP's acknowledgement a minute after the capture
        clock.advance(Duration.ofMinutes(20));
        device.client()
                .push(new PushRequest(
                        now(),
                        List.of(Fixtures.event(
                                "bm-1",
                                1,
                                EventType.DELIVERED,
                                "BM-S1",
                                now().minusSeconds(60),
                                Fixtures.fullDelivery("BM-O1")))));
        TestServer.await(
                () -> value("podsync_pod_posting_seconds_count", "outcome=\"delivered\"") == 1, "the ERP's ack");
        m = metrics();
        assertEquals(1, sample(m, "podsync_sync_lag_seconds_count", ""));
        assertEquals(60, sample(m, "podsync_sync_lag_seconds_sum", ""), 1);
        assertEquals(1, sample(m, "podsync_dispatch_to_confirmation_seconds_count", ""));
        assertEquals(1200, sample(m, "podsync_dispatch_to_confirmation_seconds_sum", ""), 1);
        assertEquals(60, sample(m, "podsync_pod_posting_seconds_sum", "outcome=\"delivered\""), 5);
        assertEquals(1, sample(m, "podsync_traces_total", "complete=\"true\""));
        assertEquals(0, sample(m, "podsync_traces_total", "complete=\"false\""));

        // a refusal (a final failure) captured two minutes before its push: POD posting time by outcome
        device.client()
                .push(new PushRequest(
                        now(),
                        List.of(Fixtures.event(
                                "bm-f",
                                2,
                                EventType.FAILED,
                                "BM-S3",
                                now().minusSeconds(120),
                                EventPayload.EMPTY.withReasonCode("REFUSED")))));
        TestServer.await(() -> value("podsync_pod_posting_seconds_count", "outcome=\"failed\"") == 1, "the ERP's ack");
        m = metrics();
        assertEquals(120, sample(m, "podsync_pod_posting_seconds_sum", "outcome=\"failed\""), 5);
        assertEquals(1, sample(m, "podsync_pod_posting_seconds_count", "outcome=\"delivered\""), "by outcome");
        assertEquals(2, sample(m, "podsync_dispatch_to_confirmation_seconds_count", ""));

        // an outcome outside the geofence opens an exception; it is resolved 45 minutes later
        GeoFix far = new GeoFix(Fixtures.BASE_LAT + 2 * 0.01 + 0.01, Fixtures.BASE_LON, 10.0);
        device.client()
                .push(new PushRequest(
                        now(),
                        List.of(Fixtures.event(
                                "bm-2",
                                3,
                                EventType.DELIVERED,
                                "BM-S2",
                                now().minusSeconds(5),
                                Fixtures.fullDelivery("BM-O2").withLocation(far)))));
        clock.advance(Duration.ofSeconds(6)); // past the gauges' reading age
        assertEquals(1, value("podsync_exceptions_open", "kind=\"flagged_event\""));
        assertEquals(1, value("podsync_trace_missing", "link=\"exception_open\""));
        assertEquals(0, value("podsync_exceptions_open", "kind=\"contradiction\""), "every kind has its series");
        ExceptionView flagged = server.ops().exceptions("open", 100).items().stream()
                .filter(x -> "BM-S2".equals(x.stopId()))
                .findFirst()
                .orElseThrow();

        // the ERP is down when the exception is resolved: the confirmation waits in the outbox, then goes dead
        erpStatus = 503;
        clock.advance(Duration.ofMinutes(45));
        server.ops().resolveException(flagged.id(), "accepted", "checked with the customer");
        m = metrics();
        assertEquals(1, sample(m, "podsync_exception_resolution_seconds_count", "kind=\"flagged_event\""), m);
        assertEquals(2706, sample(m, "podsync_exception_resolution_seconds_sum", "kind=\"flagged_event\""), 1);
        TestServer.await(() -> value("podsync_erp_attempts_failed_total", "status=\"503\"") >= 1, "a failed attempt");
        clock.advance(Duration.ofSeconds(30));
        m = metrics();
        assertEquals(0, sample(m, "podsync_exceptions_open", "kind=\"flagged_event\""), m);
        assertEquals(1, sample(m, "podsync_outbox_backlog", "endpoint=\"erp\",status=\"pending\""), m);
        assertTrue(sample(m, "podsync_outbox_oldest_age_seconds", "endpoint=\"erp\"") >= 30, m);
        clock.advance(Duration.ofMinutes(2)); // the second and last attempt is due
        TestServer.await(
                () -> {
                    clock.advance(Duration.ofSeconds(6));
                    return value("podsync_outbox_dead", "endpoint=\"erp\"") == 1;
                },
                "the dead letter");
        m = metrics();
        assertEquals(0, sample(m, "podsync_outbox_backlog", "endpoint=\"erp\",status=\"pending\""), m);
        assertEquals(0, sample(m, "podsync_outbox_oldest_age_seconds", "endpoint=\"erp\""));
        assertEquals(1, sample(m, "podsync_erp_confirmations_dead_total", "type=\"io.podsync.pod.delivered.v1\""));

        // failed sync volume: a refused event and a refused push
        List<Verdict> verdicts = device
                .client()
                .push(new PushRequest(
                        now(), List.of(Fixtures.event("bm-x", 4, EventType.ARRIVED, "NOT-A-STOP", now(), null))))
                .results()
                .stream()
                .map(r -> r.verdict())
                .toList();
        assertEquals(List.of(Verdict.REJECTED), verdicts);
        // the first delivery again under its key, with other content: a conflict
        verdicts = device
                .client()
                .push(new PushRequest(
                        now(),
                        List.of(Fixtures.event(
                                "bm-1", 1, EventType.DELIVERED, "BM-S1", now(), Fixtures.fullDelivery("BM-O1")))))
                .results()
                .stream()
                .map(r -> r.verdict())
                .toList();
        assertEquals(List.of(Verdict.CONFLICT), verdicts);
        assertEquals(
                400,
                server.postJson(
                                "/v1/sync/push",
                                "{\"events\":[]}",
                                device.client().authenticate().accessToken())
                        .statusCode());
        m = metrics();
        assertEquals(1, sample(m, "podsync_events_total", "type=\"arrived\",verdict=\"rejected\""));
        assertEquals(1, sample(m, "podsync_events_total", "type=\"delivered\",verdict=\"conflict\""));
        assertEquals(
                1,
                sample(
                        m,
                        "http_server_requests_seconds_count",
                        "method=\"POST\",route=\"/v1/sync/push\",status=\"400\""));

        // devices silent: nothing from the phone for longer than podsync.sla.device-silent-after (30 minutes)
        clock.advance(Duration.ofSeconds(6)); // a fresh reading: the phone has just pushed
        assertEquals(0, value("podsync_devices_silent", ""));
        clock.advance(Duration.ofMinutes(31));
        assertEquals(1, value("podsync_devices_silent", ""));
        device.client().pull(null, 100);
        clock.advance(Duration.ofSeconds(6));
        assertEquals(0, value("podsync_devices_silent", ""), "a pull counts as a sync");
    }
}
