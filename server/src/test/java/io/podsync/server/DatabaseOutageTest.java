package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RouteDetail;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClientException;
import io.podsync.protocol.json.ProtocolJson;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped and started again while devices push: every request answers within the database timeout (503
 * with {@code Retry-After} while the database is down), readiness answers within a second and names the database,
 * the server recovers by itself, and every event is stored exactly once.
 */
class DatabaseOutageTest {
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** What a request may take beyond the timeout: the HTTP round trip and a loaded machine. */
    static final Duration SLACK = Duration.ofMillis(1500);

    static final int DEVICES = 4;
    static final int STOPS = 100;
    static final int BATCH = 10;

    @TempDir
    Path dir;

    @Test
    void aStoppedDatabaseAnswers503WithinTheBoundAndNothingIsLostOrStoredTwice() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path pgData = dir.resolve("pg");
        EmbeddedPostgres pg = Postgres.own(pgData, port);
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE podsync");
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("podsync.db.url", pg.getJdbcUrl("postgres", "podsync"));
        settings.put("podsync.db.user", "postgres");
        settings.put("podsync.db.password", "postgres");
        settings.put("podsync.keys.encryption-key", Postgres.KEK);
        settings.put("podsync.db.timeout", "PT" + TIMEOUT.toMillis() / 1000.0 + "S");
        settings.put("podsync.db.statement-timeout", "PT5S");
        try (TestServer server = TestServer.start(dir.resolve("server"), settings)) {
            List<TestServer.Device> devices = new ArrayList<>();
            for (int d = 0; d < DEVICES; d++) {
                server.erp().releaseRoute("RO" + d, Fixtures.route("RO" + d, "DO" + d, STOPS));
                devices.add(server.device("DO" + d));
            }
            String erpToken = server.erp().authenticate().accessToken();
            AtomicInteger pushes = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            AtomicLong slowest = new AtomicLong();
            List<Future<List<EventResult>>> running = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int d = 0; d < DEVICES; d++) {
                    TestServer.Device device = devices.get(d);
                    List<CapturedEvent> events = events("RO" + d);
                    running.add(pool.submit(() -> pushAll(device, events, pushes, failures, slowest)));
                }
                TestServer.await(() -> pushes.get() >= 8, "the load to get going");

                pg.close(); // PostgreSQL stops (fast shutdown: its connections are closed)
                try {
                    long t0 = System.nanoTime();
                    HttpResponse<String> release = server.send(
                            "PUT",
                            "/v1/routes/RO-DOWN",
                            "application/json",
                            ProtocolJson.toString(Fixtures.route("RO-DOWN", "DO0", 1)),
                            erpToken);
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    assertEquals(503, release.statusCode(), release.body());
                    assertTrue(release.body().contains("storage_unavailable"), release.body());
                    assertTrue(release.headers().firstValue("Retry-After").isPresent(), "Retry-After");
                    assertTrue(took.compareTo(TIMEOUT.plus(SLACK)) < 0, "a release waited " + took);

                    t0 = System.nanoTime();
                    HttpResponse<String> ready = server.send("GET", "/health/ready", null, null, null);
                    took = Duration.ofNanos(System.nanoTime() - t0);
                    assertTrue(took.compareTo(Duration.ofMillis(1200)) < 0, "readiness took " + took);
                    assertEquals(503, ready.statusCode(), ready.body());
                    JsonNode body = ProtocolJson.read(ready.body(), JsonNode.class);
                    assertEquals("DOWN", body.at("/checks/database").asText(), ready.body());
                    assertEquals("UP", body.at("/checks/objectStore").asText(), ready.body());
                    int failedBefore = failures.get();
                    TestServer.await(() -> failures.get() >= failedBefore + DEVICES, "devices to meet the outage");
                } finally {
                    pg = Postgres.own(pgData, port); // the same files: what was committed is there
                }
                TestServer.await(
                        () -> server.send("GET", "/health/ready", null, null, null)
                                        .statusCode()
                                == 200,
                        "readiness to recover by itself");
                for (Future<List<EventResult>> f : running) {
                    for (EventResult r : f.get()) {
                        Verdict v =
                                r.verdict() == Verdict.DUPLICATE ? r.original().verdict() : r.verdict();
                        assertEquals(Verdict.APPLIED, v, r.toString());
                    }
                }
            }
            assertTrue(failures.get() > 0, "the outage was met");
            assertTrue(
                    slowest.get() < TIMEOUT.plus(SLACK).toMillis(),
                    "a push waited " + slowest.get() + " ms for its answer");
            long stored = server.server().database().read(tx -> tx.events().count());
            assertEquals((long) DEVICES * STOPS * 2, stored, "every event stored once");
            for (int d = 0; d < DEVICES; d++) {
                RouteDetail route = server.erp().route("RO" + d);
                assertTrue(
                        route.states().stream().allMatch(s -> s.status().equals("delivered")),
                        route.states().toString());
            }
        } finally {
            pg.close();
        }
    }

    /** Arrived and delivered at every stop of the route, with fresh keys. */
    private static List<CapturedEvent> events(String routeId) {
        List<CapturedEvent> events = new ArrayList<>();
        Instant t = Instant.now().minusSeconds(3600);
        for (int s = 1; s <= STOPS; s++) {
            String stop = routeId + "-S" + s;
            events.add(Fixtures.event(UUID.randomUUID().toString(), 2L * s - 1, EventType.ARRIVED, stop, t, null));
            events.add(Fixtures.event(
                    UUID.randomUUID().toString(),
                    2L * s,
                    EventType.DELIVERED,
                    stop,
                    t.plusSeconds(10),
                    Fixtures.fullDelivery(routeId + "-O" + s)));
            t = t.plusSeconds(20);
        }
        return events;
    }

    /**
     * Pushes the events in batches as an app does: a batch that failed (no answer, or 503) is sent again with the same
     * keys until it has its verdicts. Returns every event's last verdict.
     */
    private static List<EventResult> pushAll(
            TestServer.Device device,
            List<CapturedEvent> events,
            AtomicInteger pushes,
            AtomicInteger failures,
            AtomicLong slowest)
            throws InterruptedException {
        List<EventResult> results = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (int i = 0; i < events.size(); i += BATCH) {
            List<CapturedEvent> batch = events.subList(i, Math.min(events.size(), i + BATCH));
            while (true) {
                long t0 = System.nanoTime();
                try {
                    results.addAll(device.client()
                            .push(new PushRequest(Instant.now(), batch))
                            .results());
                    slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    pushes.incrementAndGet();
                    break;
                } catch (PodsyncClientException e) {
                    slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    assertTrue(e.status() == 503 || e.status() == 0, e.toString());
                    failures.incrementAndGet();
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the server did not recover", e);
                    }
                    Thread.sleep(100);
                }
            }
            Thread.sleep(20);
        }
        return results;
    }
}
