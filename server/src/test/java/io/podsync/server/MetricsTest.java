package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.EventType;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.Verdict;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The business metrics count what happened to events, by verdict and type, and only ops may read them. */
class MetricsTest {
    @TempDir
    Path dir;

    private static double count(String metrics, String verdict, String type) {
        Matcher m = Pattern.compile("podsync_events_total\\{type=\"" + type + "\",verdict=\"" + verdict + "\"} (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void eventsAreCountedByVerdictAndType() {
        try (TestServer server = TestServer.start(dir)) {
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

            String ops = server.ops().authenticate().accessToken();
            HttpResponse<String> res = server.send("GET", "/metrics", null, null, ops);
            assertEquals(200, res.statusCode());
            assertEquals(2.0, count(res.body(), "applied", "arrived"), res.body());
            assertEquals(1.0, count(res.body(), "rejected", "arrived"));
            assertEquals(1.0, count(res.body(), "duplicate", "arrived"));
            assertTrue(res.body().contains("podsync_sync_push_seconds"), "push timings are published");

            assertEquals(
                    403,
                    server.send("GET", "/metrics", null, null, device.token()).statusCode());
            assertEquals(401, server.send("GET", "/metrics", null, null, null).statusCode());
        }
    }
}
