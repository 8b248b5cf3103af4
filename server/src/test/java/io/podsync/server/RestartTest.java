package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.RouteDetail;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.client.PodsyncClient;
import io.podsync.server.ops.Housekeeping;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server restarted on the same database remembers every receipt, state, key and cursor. */
class RestartTest {
    @TempDir
    Path dir;

    Map<String, String> db;

    /** The database the server starts on, both times: SQLite under the test's directory, or PostgreSQL with {@link OnPostgres}. */
    Map<String, String> database() {
        return SuiteServer.database(getClass());
    }

    @BeforeEach
    void pickDatabase() {
        db = database();
    }

    @Test
    void replayAfterRestartGetsDuplicatesAndTheStateIsIntact() {
        List<CapturedEvent> batch = new ArrayList<>();
        Instant t = Instant.now().minusSeconds(100);
        batch.add(Fixtures.event("rs-1", 1, EventType.ARRIVED, "RR-S1", t, null));
        batch.add(Fixtures.event(
                "rs-2", 2, EventType.DELIVERED, "RR-S1", t.plusSeconds(20), Fixtures.fullDelivery("RR-O1")));
        batch.add(Fixtures.event("rs-3", 3, EventType.ARRIVED, "RR-S2", t.plusSeconds(40), null));
        batch.add(Fixtures.event("rs-4", 4, EventType.ARRIVED, "nope", t.plusSeconds(50), null));

        PushResponse first;
        RouteDetail before;
        String deviceId;
        String secret;
        String cursor;
        try (TestServer server = TestServer.start(dir, db)) {
            server.erp().releaseRoute("RR", Fixtures.route("RR", "DR", 2));
            TestServer.Device device = server.device("DR");
            deviceId = device.id();
            secret = device.credentials().deviceSecret();
            first = device.client().push(new PushRequest(Instant.now(), batch));
            before = server.erp().route("RR");
            cursor = device.client().pull(null, 100).cursor();
        }

        try (TestServer server = TestServer.start(dir, db)) {
            PodsyncClient device = new PodsyncClient(server.uri()).useDevice(deviceId, secret);
            PushResponse replay = device.push(new PushRequest(Instant.now(), batch));
            for (int i = 0; i < batch.size(); i++) {
                EventResult was = first.results().get(i);
                EventResult now = replay.results().get(i);
                assertEquals(Verdict.DUPLICATE, now.verdict(), now.toString());
                assertEquals(was.verdict(), now.original().verdict());
                assertEquals(was.receivedAt(), now.original().receivedAt());
                assertEquals(was.reason(), now.original().reason());
            }
            assertEquals(before, server.erp().route("RR"));
            assertEquals("delivered", before.states().get(0).status());
            PullResponse after = device.pull(cursor, 100);
            assertEquals(0, after.changes().size(), "a duplicate must not publish anything: " + after.changes());
        }
    }

    @Test
    void afterTheRetentionARejectedKeyIsJudgedAgainWhileCountedEventsStayDuplicates() {
        MutableClock clock = new MutableClock();
        try (TestServer server =
                TestServer.start(dir, TestServer.with(db, Map.of("podsync.sync.receipt-retention", "P1D")), clock)) {
            server.erp().releaseRoute("RT", Fixtures.route("RT", "DT", 1));
            TestServer.Device device = server.device("DT");
            CapturedEvent delivered = Fixtures.event(
                    "rt-1", 1, EventType.DELIVERED, "RT-S1", Instant.now(), Fixtures.fullDelivery("RT-O1"));
            CapturedEvent stranger = Fixtures.event("rt-2", 2, EventType.NOTE, "not-a-stop", Instant.now(), null);
            List<EventResult> first = device.client()
                    .push(new PushRequest(Instant.now(), List.of(delivered, stranger)))
                    .results();
            assertEquals(Verdict.APPLIED, first.get(0).verdict());
            assertEquals(Verdict.REJECTED, first.get(1).verdict());
            Housekeeping chores = new Housekeeping(
                    server.server().database(),
                    clock,
                    null,
                    new io.podsync.server.sync.StopStates(new io.podsync.server.exceptions.ExceptionQueue(kind -> {})),
                    Duration.ofHours(2));
            assertEquals(0, chores.purgeReceipts());
            clock.advance(Duration.ofDays(2));
            assertEquals(1, chores.purgeReceipts(), "only the rejected event's receipt expires");
            device.client().authenticate();
            List<EventResult> again = device.client()
                    .push(new PushRequest(clock.instant(), List.of(delivered, stranger)))
                    .results();
            assertEquals(Verdict.DUPLICATE, again.get(0).verdict());
            assertEquals(Verdict.REJECTED, again.get(1).verdict());
            long events = server.server().database().read(tx -> tx.events().count());
            assertEquals(2, events);
            assertEquals("delivered", server.erp().route("RT").states().get(0).status());
        }
    }
}
