package io.podsync.simulator;

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
import io.podsync.simulator.erp.ErpReceiver;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * ERP forwarding throughput: builds a backlog of confirmations the server cannot deliver (the receiver answers 410
 * once, so the server disables the endpoint and holds every message), then enables the endpoint and times how fast
 * the backlog drains into the reference receiver, which verifies every signature.
 */
final class ErpBench {
    static final String HELP = """
            bench-erp: drain a backlog of confirmations into the reference ERP receiver

              --server URL          the podsync server, configured with an ERP endpoint named --endpoint that points
                                    at http://127.0.0.1:<receiver-port>/webhooks/pod (required)
              --erp-secret S        secret of the ERP client that provisions routes and devices (required)
              --ops-secret S        secret of the ops client that enables the endpoint (required)
              --webhook-secret S    the whsec_ secret the server signs with (required)
              --receiver-port N     port of the receiver this command starts (required)
              --endpoint NAME       the endpoint's name in the server's configuration (default erp)
              --confirmations N     backlog size (default 100000)
              --warmup N            a first backlog drained and not measured, so both JVMs have compiled the
                                    delivery path, as in a server that has been running (default 20000; 0: none)
            """;

    private ErpBench() {}

    static int run(Args a, PrintStream out) throws Exception {
        URI server = URI.create(a.required("server"));
        String erpSecret = a.required("erp-secret");
        String opsSecret = a.required("ops-secret");
        String webhookSecret = a.required("webhook-secret");
        int port = a.integer("receiver-port", 0, 1, 65535);
        String endpoint = a.string("endpoint", "erp");
        int total = a.integer("confirmations", 100_000, 1, 10_000_000);
        int warmup = a.integer("warmup", 20_000, 0, 10_000_000);
        a.rejectUnknown();
        try (ErpReceiver receiver = ErpReceiver.start(port, List.of(webhookSecret), Clock.systemUTC())) {
            receiver.behavior().failNext(1, 410);
            PodsyncClient erp = new PodsyncClient(server).useClient("erp", erpSecret);
            PodsyncClient ops = new PodsyncClient(server).useClient("ops", opsSecret);
            String token = ops.authenticate().accessToken();
            if (warmup > 0) {
                backlog(erp, server, warmup);
                enable(server, endpoint, token);
                if (drain(receiver, warmup) < warmup) {
                    throw new IllegalStateException("the warm-up backlog did not drain");
                }
                receiver.behavior().failNext(1, 410); // held again while the measured backlog builds
            }
            long t0 = System.nanoTime();
            backlog(erp, server, total);
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            out.printf("backlog of %d confirmations built in %.1f s%n", total, loadSeconds);
            if (warmup > 0) {
                awaitHeld(receiver);
            }
            enable(server, endpoint, token);
            long start = System.nanoTime();
            int got = drain(receiver, warmup + total) - warmup;
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(
                    "erp confirmations=%d drained in %.1f s confirmations/s=%.0f duplicates=%d rejected=%d%n",
                    got, seconds, got / seconds, receiver.duplicates(), receiver.rejected());
            return got == total && receiver.rejected() == 0 ? 0 : 1;
        }
    }

    private static void enable(URI server, String endpoint, String token) throws Exception {
        HttpResponse<String> enabled = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(server.resolve("/v1/ops/erp-endpoints/" + endpoint + "/enable"))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (enabled.statusCode() != 200) {
            throw new IllegalStateException(
                    "enabling the endpoint answered " + enabled.statusCode() + " " + enabled.body());
        }
    }

    /** Waits until the receiver has {@code expected} deliveries (or 30 minutes pass); returns how many it has. */
    private static int drain(ErpReceiver receiver, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 30 * 60 * 1_000_000_000L;
        while (receiver.deliveryCount() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return receiver.deliveryCount();
    }

    /**
     * After the warm-up the receiver refuses the next message with 410, which makes the server disable the endpoint
     * and hold the rest: waits until that answer was given, and a moment for the server to record it.
     */
    private static void awaitHeld(ErpReceiver receiver) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (receiver.behavior().failuresLeft() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (receiver.behavior().failuresLeft() > 0) {
            throw new IllegalStateException("no message reached the receiver after the warm-up");
        }
        Thread.sleep(1_000);
    }

    /** One delivered event per stop, 500 stops per route, pushed in batches of 250 from one device per route. */
    private static void backlog(PodsyncClient erp, URI server, int total) throws Exception {
        String tag = "erpb-" + UUID.randomUUID().toString().substring(0, 6);
        int routes = (total + 499) / 500;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> work = new ArrayList<>();
            for (int r = 0; r < routes; r++) {
                int stops = Math.min(500, total - r * 500);
                String routeId = tag + "-R" + r;
                String driver = tag + "-D" + r;
                work.add(pool.submit(() -> {
                    List<StopSpec> list = new ArrayList<>();
                    for (int s = 0; s < stops; s++) {
                        list.add(new StopSpec(
                                routeId + "-S" + s,
                                s,
                                "x",
                                new GeoPoint(52.0, 4.0),
                                150.0,
                                null,
                                ProofPolicy.NONE,
                                List.of(new OrderSpec(
                                        routeId + "-O" + s,
                                        List.of(new LineSpec("L1", "SKU", "Box", BigDecimal.ONE, "ea")),
                                        false)),
                                false));
                    }
                    erp.releaseRoute(routeId, new RouteRelease(driver, "VAN", LocalDate.now(), list));
                    PodsyncClient device = new PodsyncClient(server);
                    device.enroll(erp.createEnrollment(driver).code(), "erp-bench", "simulator", "bench");
                    List<CapturedEvent> events = new ArrayList<>();
                    Instant t = Instant.now().minusSeconds(30);
                    for (int s = 0; s < stops; s++) {
                        events.add(new CapturedEvent(
                                IdempotencyKeys.newKey(),
                                (long) s + 1,
                                EventType.DELIVERED,
                                routeId + "-S" + s,
                                1,
                                t,
                                EventPayload.EMPTY.withLines(List.of(
                                        new LineOutcome(routeId + "-O" + s, "L1", BigDecimal.ONE, null, null, true)))));
                    }
                    for (int i = 0; i < events.size(); i += 250) {
                        device.push(
                                new PushRequest(Instant.now(), events.subList(i, Math.min(events.size(), i + 250))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        }
    }
}
