package io.podsync.server;

import static io.podsync.server.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClient;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import io.podsync.storage.artifact.S3ProxyServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stateless server replicas on one PostgreSQL, as behind a load balancer: a token one issues is good at the other,
 * what one stores the other serves, twins sent to both at once apply once, and each confirmation reaches the ERP once
 * whichever replica's outbox worker sends it.
 */
class PostgresReplicasTest {
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("replica-test-secret-012345".getBytes());

    @TempDir
    Path dir;

    ErpReceiver erp;
    S3ProxyServer s3;
    TestServer a;
    TestServer b;

    @BeforeEach
    void start() throws Exception {
        erp = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        s3 = S3ProxyServer.start(java.nio.file.Files.createDirectories(dir.resolve("s3")));
        Map<String, String> c = new HashMap<>(Postgres.freshDatabase());
        c.putAll(TestServer.s3Store(s3)); // replicas on one database keep evidence in one S3 store
        c.put("podsync.erp.endpoints.0.name", "test-erp");
        c.put("podsync.erp.endpoints.0.url", erp.url().toString());
        c.put("podsync.erp.endpoints.0.secrets.0", SECRET);
        c.put("podsync.erp.endpoints.0.timeout", "PT2S");
        c.put("podsync.erp.retry-schedule.0", "PT0S");
        for (int i = 1; i < 6; i++) {
            c.put("podsync.erp.retry-schedule." + i, "PT0.05S");
        }
        c.put("podsync.erp.poll-interval", "PT0.02S");
        // Each replica has a directory of its own: nothing it needs may live there but what it can lose.
        a = TestServer.start(dir.resolve("a"), c, Clock.systemUTC());
        b = TestServer.start(dir.resolve("b"), c, Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        b.close();
        erp.close();
        s3.close();
    }

    private static CapturedEvent delivered(long seq, String routeId, int stop, Instant at) {
        return Fixtures.event(
                UUID.randomUUID().toString(),
                seq,
                EventType.DELIVERED,
                routeId + "-S" + stop,
                at,
                Fixtures.fullDelivery(routeId + "-O" + stop));
    }

    @Test
    void aDeviceEnrolledThroughOneReplicaSyncsThroughTheOther() {
        a.erp().releaseRoute("RP1", Fixtures.route("RP1", "DP1", 2));
        TestServer.Device d = a.device("DP1");

        // A's token at B: the signing keys are in the shared database, not in a replica.
        JsonNode page = ProtocolJson.read(
                b.send("GET", "/v1/sync/pull?limit=100", null, null, d.token()).body(), JsonNode.class);
        assertTrue(page.toString().contains("RP1-S2"), page.toString());

        PodsyncClient viaB =
                new PodsyncClient(b.uri()).useDevice(d.id(), d.credentials().deviceSecret());
        PushRequest push = new PushRequest(
                Instant.now(),
                List.of(
                        Fixtures.arrived(1, "RP1-S1", Instant.now().minusSeconds(60)),
                        delivered(2, "RP1", 1, Instant.now().minusSeconds(30))));
        assertEquals(
                List.of(Verdict.APPLIED, Verdict.APPLIED),
                viaB.push(push).results().stream().map(EventResult::verdict).toList());
        // The same batch again through A: A finds B's receipts.
        assertEquals(
                List.of(Verdict.DUPLICATE, Verdict.DUPLICATE),
                d.client().push(push).results().stream()
                        .map(EventResult::verdict)
                        .toList());
        assertEquals("delivered", a.stopState("RP1", "RP1-S1").status());
    }

    @Test
    void twinsSentToBothReplicasAtOnceApplyOnce() throws Exception {
        a.erp().releaseRoute("RP2", Fixtures.route("RP2", "DP2", 1));
        TestServer.Device d = a.device("DP2");
        PodsyncClient viaB =
                new PodsyncClient(b.uri()).useDevice(d.id(), d.credentials().deviceSecret());
        PushRequest push = new PushRequest(
                Instant.now(), List.of(delivered(1, "RP2", 1, Instant.now().minusSeconds(30))));
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Verdict>> verdicts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PodsyncClient client = i % 2 == 0 ? d.client() : viaB;
            verdicts.add(pool.submit(() -> {
                go.await();
                return client.push(push).results().getFirst().verdict();
            }));
        }
        go.countDown();
        List<Verdict> seen = new ArrayList<>();
        for (Future<Verdict> f : verdicts) {
            seen.add(f.get());
        }
        pool.shutdown();
        assertEquals(1, seen.stream().filter(v -> v == Verdict.APPLIED).count(), seen.toString());
        assertEquals(n - 1, seen.stream().filter(v -> v == Verdict.DUPLICATE).count(), seen.toString());
        await(() -> erp.deliveries().size() == 1, "the confirmation");
    }

    @Test
    void eachConfirmationReachesTheErpOnceWhicheverReplicaSendsIt() throws Exception {
        // Slow answers and failures keep both replicas' workers busy with the same backlog at the same time.
        erp.behavior().delayEach(Duration.ofMillis(20));
        erp.behavior().failNext(8, 500);
        int routes = 4;
        int stops = 5;
        for (int r = 1; r <= routes; r++) {
            String routeId = "RQ" + r;
            a.erp().releaseRoute(routeId, Fixtures.route(routeId, "DQ" + r, stops));
            TestServer.Device d = (r % 2 == 0 ? a : b).device("DQ" + r);
            List<CapturedEvent> events = new ArrayList<>();
            for (int s = 1; s <= stops; s++) {
                events.add(delivered(s, routeId, s, Instant.now().minusSeconds(60 - s)));
            }
            d.client().push(new PushRequest(Instant.now(), events));
        }
        int expected = routes * stops;
        await(() -> erp.deliveries().size() == expected, expected + " confirmations");
        await(() -> delivered() == expected, "the outbox to record them all");
        Await.nothingFor(Duration.ofMillis(300), () -> erp.deliveries().size() > expected, "a confirmation twice");

        assertEquals(expected, erp.deliveries().size());
        assertEquals(0, erp.duplicates(), "a message was sent by both replicas");
        Set<String> subjects = new HashSet<>();
        for (Delivery d : erp.deliveries()) {
            assertTrue(subjects.add(d.subject()), "a stop was confirmed twice: " + d.subject());
        }
    }

    private int delivered() {
        return b.outbox("?status=delivered&limit=100").get("items").size();
    }
}
