package io.podsync.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.client.IdempotencyKeys;
import io.podsync.protocol.client.PodsyncClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for the JDK's ahead-of-time cache ({@code bin/podsync train}): starts a server on a temporary
 * SQLite database and a free port, takes it through what a start and the first requests load (readiness, tokens, a
 * route release, an enrollment, a push, a pull), and stops. The JVM records the classes this loads and links, and the
 * next start reads them from the cache instead. It reads nothing of the operator's configuration.
 */
final class Training {
    private Training() {}

    static void run() {
        Path dir;
        try {
            dir = Files.createTempDirectory("podsync-train");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String secret = "training-secret-" + IdempotencyKeys.newKey();
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(
                        ConfigSources.create(Map.of(
                                "server.port", "0",
                                "server.host", "127.0.0.1",
                                "podsync.data-dir", dir.toString(),
                                "podsync.auth.clients.0.id", "erp",
                                "podsync.auth.clients.0.secret", secret,
                                "podsync.auth.clients.0.scopes.0", "erp")),
                        ConfigSources.classpath("application.yaml"))
                .build();
        try (PodsyncServer server = PodsyncServer.start(config)) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            PodsyncClient erp = new PodsyncClient(base).useClient("erp", secret);
            List<StopSpec> stops = new ArrayList<>();
            List<CapturedEvent> events = new ArrayList<>();
            Instant t = Instant.now().minusSeconds(600);
            for (int i = 0; i < 20; i++) {
                stops.add(new StopSpec(
                        "T-S" + i,
                        i,
                        i + " Training Street",
                        new GeoPoint(52.0, 4.0 + i * 0.001),
                        100.0,
                        null,
                        ProofPolicy.NONE,
                        List.of(new OrderSpec(
                                "T-O" + i, List.of(new LineSpec("L1", "SKU", "Box", BigDecimal.ONE, "ea")), false)),
                        false));
                events.add(new CapturedEvent(
                        IdempotencyKeys.newKey(), 2L * i + 1, EventType.ARRIVED, "T-S" + i, 1, t, null));
                events.add(new CapturedEvent(
                        IdempotencyKeys.newKey(),
                        2L * i + 2,
                        EventType.DELIVERED,
                        "T-S" + i,
                        1,
                        t.plusSeconds(30),
                        EventPayload.EMPTY.withLines(
                                List.of(new LineOutcome("T-O" + i, "L1", BigDecimal.ONE, null, null, true)))));
            }
            erp.releaseRoute("T", new RouteRelease("T-D", "VAN", LocalDate.now(), stops));
            PodsyncClient device = new PodsyncClient(base);
            device.enroll(erp.createEnrollment("T-D").code(), "training", "training", "1");
            device.push(new PushRequest(Instant.now(), events));
            device.pull(null, 100);
            erp.route("T");
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory
            }
        }
    }
}
