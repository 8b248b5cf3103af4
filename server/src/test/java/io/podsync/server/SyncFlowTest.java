package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.Change;
import io.podsync.protocol.EventType;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.PushResponse;
import io.podsync.protocol.RouteDetail;
import io.podsync.protocol.RouteReleaseResult;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The happy path end to end: release, enroll, pull the manifest, push a delivery, see the stop delivered. */
class SyncFlowTest {
    static TestServer server;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        server = TestServer.start(dir, db);
        return server;
    });

    @Test
    void releasePullPushAndSeeTheStopDelivered() {
        RouteReleaseResult released = server.erp().releaseRoute("R1", Fixtures.route("R1", "D1", 3));
        assertEquals(1, released.version());
        assertTrue(released.changed());

        TestServer.Device device = server.device("D1");
        PullResponse first = device.client().pull(null, 100);
        assertFalse(first.hasMore());
        assertEquals(
                1,
                first.changes().stream()
                        .filter(c -> c.kind().equals(Change.ROUTE))
                        .count());
        assertEquals(
                3,
                first.changes().stream()
                        .filter(c -> c.kind().equals(Change.STOP))
                        .count());

        Instant t = Instant.now().minusSeconds(60);
        CapturedEvent arrived = Fixtures.arrived(1, "R1-S1", t);
        CapturedEvent delivered = Fixtures.event(
                "k-deliver", 2, EventType.DELIVERED, "R1-S1", t.plusSeconds(30), Fixtures.fullDelivery("R1-O1"));
        PushResponse pushed = device.client().push(new PushRequest(Instant.now(), List.of(arrived, delivered)));
        assertEquals(2, pushed.results().size());
        for (var r : pushed.results()) {
            assertEquals(Verdict.APPLIED, r.verdict(), r.toString());
            assertNull(r.flags(), r.toString());
        }

        RouteDetail detail = server.erp().route("R1");
        StopStateView s1 = detail.states().stream()
                .filter(s -> s.stopId().equals("R1-S1"))
                .findFirst()
                .orElseThrow();
        assertEquals("delivered", s1.status());
        assertEquals("k-deliver", s1.outcomeEventKey());

        PullResponse next = device.client().pull(first.cursor(), 100);
        assertTrue(next.changes().stream().anyMatch(c -> c.kind().equals(Change.STOP_STATE) && c.id().equals("R1-S1")));
        assertEquals(
                2,
                next.changes().stream()
                        .filter(c -> c.kind().equals(Change.VERDICT))
                        .count());
        PullResponse empty = device.client().pull(next.cursor(), 100);
        assertTrue(empty.changes().isEmpty());
    }
}
