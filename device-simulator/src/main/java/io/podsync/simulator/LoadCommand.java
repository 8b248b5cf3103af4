package io.podsync.simulator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventType;
import io.podsync.protocol.GeoPoint;
import io.podsync.protocol.Limits;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.LineSpec;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.ProofPolicy;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.client.IdempotencyKeys;
import io.podsync.protocol.client.PodsyncClient;
import io.podsync.protocol.json.ProtocolJson;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Load mode: N devices, each with its own driver and routes, push their events (arrive, scan, note, deliver at every
 * stop) in batches of a given size. Closed model (the default): each device sends its next push when the last one is
 * answered, as fast as the server answers. Open model ({@code --rate}): pushes are due at a fixed rate whatever the
 * answers, and each latency is counted from the push's intended send time, so a server that falls behind shows it in
 * the tail instead of slowing the load down (coordinated omission). Reports events/s and push latency.
 */
final class LoadCommand {
    static final String HELP = """
            load: push events from concurrent devices and report throughput and latency

              --server URL[,URL]  the podsync server (required); with several (replicas), device d uses the
                                  (d mod n)-th, and routes and devices are provisioned through the first
              --erp-secret S      secret of the ERP client that provisions routes and devices (required)
              --erp-client ID     ERP client id (default erp)
              --devices N         concurrent devices, one driver and route each (default 8)
              --batch N           events per push, 1-500 (default 50)
              --events N          events in total, spread over the devices (default 20000)
              --warmup N          events pushed first and not measured, so both JVMs are warm (default 40000)
              --rate N            open model: N pushes per second in all, spread evenly over the devices; latency
                                  from each push's intended send time (default: closed model, as fast as answered)
              --json FILE         also write the result as JSON
            """;

    /** The numbers of one load run. */
    record Result(
            int devices,
            int batch,
            long events,
            double seconds,
            double eventsPerSecond,
            double p50Millis,
            double p99Millis,
            double p999Millis,
            double maxMillis,
            long pushes,
            long notApplied,
            double rate) {}

    private LoadCommand() {}

    static int run(Args a, PrintStream out) throws Exception {
        List<URI> servers = java.util.Arrays.stream(a.required("server").split(","))
                .map(URI::create)
                .toList();
        String erpSecret = a.required("erp-secret");
        String erpClient = a.string("erp-client", "erp");
        int devices = a.integer("devices", 8, 1, 1000);
        int batch = a.integer("batch", 50, 1, 500);
        int events = a.integer("events", 20_000, 1, 50_000_000);
        int warmup = a.integer("warmup", 40_000, 0, 50_000_000);
        double rate = a.decimal("rate", 0, 0, 1_000_000);
        String json = a.string("json", null);
        a.rejectUnknown();
        if (warmup > 0) {
            load(servers, erpClient, erpSecret, devices, batch, warmup, 0);
        }
        Result r = load(servers, erpClient, erpSecret, devices, batch, events, rate);
        out.printf(
                "devices=%d batch=%d events=%d seconds=%.2f events/s=%.0f p50=%.1fms p99=%.1fms p99.9=%.1fms"
                        + " max=%.1fms pushes=%d not-applied=%d%s%n",
                r.devices(),
                r.batch(),
                r.events(),
                r.seconds(),
                r.eventsPerSecond(),
                r.p50Millis(),
                r.p99Millis(),
                r.p999Millis(),
                r.maxMillis(),
                r.pushes(),
                r.notApplied(),
                rate > 0 ? String.format(" open-model rate=%.0f/s", rate) : "");
        if (json != null) {
            Files.writeString(Path.of(json), ProtocolJson.toString(r));
        }
        return r.notApplied() == 0 ? 0 : 1;
    }

    static Result load(
            List<URI> servers, String erpClient, String erpSecret, int devices, int batch, int events, double rate)
            throws Exception {
        String tag = "load-" + UUID.randomUUID().toString().substring(0, 8);
        PodsyncClient erp = new PodsyncClient(servers.get(0)).useClient(erpClient, erpSecret);
        int perDevice = Math.max(1, events / devices);
        // Every stop gets the whole cycle: a driver with more stops than a route holds gets more routes (more days).
        int stops = Math.max(1, (perDevice + CYCLE.length - 1) / CYCLE.length);
        List<PodsyncClient> clients = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            String driver = tag + "-D" + d;
            for (int first = 0; first < stops; first += Limits.MAX_STOPS_PER_ROUTE) {
                String routeId = routeId(tag, d, first);
                erp.releaseRoute(routeId, route(routeId, driver, Math.min(Limits.MAX_STOPS_PER_ROUTE, stops - first)));
            }
            PodsyncClient c = new PodsyncClient(servers.get(d % servers.size()));
            // Enrolling gives the first token, before the clock starts: it is pushes that are measured.
            tokens.add(c.enroll(erp.createEnrollment(driver).code(), "load-" + d, "simulator", "load")
                    .token()
                    .accessToken());
            clients.add(c);
        }
        // Requests are serialized before the clock starts, so the load generator spends its share of the machine on
        // sending rather than on JSON; only the sentAt stamp (fixed width) is written into each just before it goes.
        // They go over one plain keep-alive connection per device (a retry of a push is safe: it is idempotent).
        List<List<Prepared>> pushes = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            List<CapturedEvent> list = events(tag, d, perDevice);
            List<Prepared> mine = new ArrayList<>();
            for (int i = 0; i < list.size(); i += batch) {
                List<CapturedEvent> chunk = list.subList(i, Math.min(list.size(), i + batch));
                mine.add(new Prepared(ProtocolJson.toBytes(new PushRequest(STAMP, chunk)), chunk.size()));
            }
            pushes.add(mine);
        }
        // Microseconds, up to an hour, three significant digits.
        Histogram latencies = new ConcurrentHistogram(3_600_000_000L, 3);
        AtomicLong notApplied = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        // Open model: push k of device d is due at start + (k * devices + d) / rate, spread evenly in time.
        long interval = rate > 0 ? (long) (1e9 / rate) : 0;
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                PodsyncClient c = clients.get(d);
                List<Prepared> mine = pushes.get(d);
                URI server = servers.get(d % servers.size());
                int device = d;
                running.add(pool.submit(() -> {
                    try (RawHttpConnection connection = new RawHttpConnection(server)) {
                        String token = tokens.get(device);
                        for (int k = 0; k < mine.size(); k++) {
                            Prepared push = mine.get(k);
                            long due = start + ((long) k * devices + device) * interval;
                            long wait = due - System.nanoTime();
                            if (interval > 0 && wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            long t0 = interval > 0 ? due : System.nanoTime();
                            byte[] body = stamped(push.body(), Instant.now());
                            RawHttpConnection.Answer answer = connection.postJson(PUSH_PATH, token, body);
                            if (answer.status() == 401) { // the token expired during a long run
                                token = c.authenticate().accessToken();
                                answer = connection.postJson(PUSH_PATH, token, body);
                            }
                            latencies.recordValue(Math.max(0, (System.nanoTime() - t0) / 1000));
                            if (answer.status() != 200) {
                                throw new IOException("push answered " + answer.status() + ": "
                                        + new String(answer.body(), StandardCharsets.UTF_8));
                            }
                            sent.addAndGet(push.events());
                            notApplied.addAndGet(push.events() - applied(answer.body()));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(
                devices,
                batch,
                sent.get(),
                seconds,
                sent.get() / seconds,
                latencies.getValueAtPercentile(50) / 1000.0,
                latencies.getValueAtPercentile(99) / 1000.0,
                latencies.getValueAtPercentile(99.9) / 1000.0,
                latencies.getMaxValue() / 1000.0,
                latencies.getTotalCount(),
                notApplied.get(),
                rate);
    }

    private static final String PUSH_PATH = "/v1/sync/push";

    /** A push serialized ahead of time, and how many events it carries. */
    private record Prepared(byte[] body, int events) {}

    /** A placeholder sentAt whose text has the same width as any real one (millisecond precision). */
    static final Instant STAMP = Instant.parse("2000-01-01T00:00:00.001Z");

    static final byte[] STAMP_TEXT = "\"2000-01-01T00:00:00.001Z\"".getBytes(StandardCharsets.US_ASCII);

    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The body with the placeholder stamp replaced by {@code now}. */
    static byte[] stamped(byte[] body, Instant now) {
        int at = indexOf(body, STAMP_TEXT, 0);
        if (at < 0) {
            throw new IllegalStateException("no sentAt placeholder in the request");
        }
        byte[] out = body.clone();
        String text = "\"" + MILLIS.format(now) + "\"";
        byte[] stamp = text.getBytes(StandardCharsets.US_ASCII);
        if (stamp.length != STAMP_TEXT.length) {
            throw new IllegalStateException("unexpected instant width: " + text);
        }
        System.arraycopy(stamp, 0, out, at, stamp.length);
        return out;
    }

    /**
     * How many results of a push answer have the verdict {@code applied}, read with a streaming parser so that the
     * load generator does not bind every receipt. Only the results' own verdicts count, not a duplicate's original.
     */
    static int applied(byte[] answer) throws IOException {
        int n = 0;
        try (JsonParser p = ProtocolJson.mapper().getFactory().createParser(answer)) {
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t.isStructStart()) {
                    depth++;
                } else if (t.isStructEnd()) {
                    depth--;
                } else if (t == JsonToken.FIELD_NAME && depth == 3 && "verdict".equals(p.currentName())) {
                    if (p.nextToken() == JsonToken.VALUE_STRING && "applied".equals(p.getText())) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static RouteRelease route(String routeId, String driver, int stops) {
        List<StopSpec> list = new ArrayList<>();
        for (int s = 0; s < stops; s++) {
            list.add(new StopSpec(
                    routeId + "-S" + s,
                    s,
                    s + " Load Street",
                    new GeoPoint(52.0 + s * 0.001, 4.0),
                    150.0,
                    null,
                    ProofPolicy.NONE,
                    List.of(new OrderSpec(
                            routeId + "-O" + s,
                            List.of(new LineSpec("L1", "SKU", "Box", new BigDecimal("3"), "ea")),
                            false)),
                    false));
        }
        return new RouteRelease(driver, "VAN", LocalDate.now(), list);
    }

    /** What a driver captures at each stop, in order. */
    private static final EventType[] CYCLE = {
        EventType.ARRIVED, EventType.ITEM_SCANNED, EventType.NOTE, EventType.DELIVERED
    };

    /** The route of device {@code d} that holds its stop number {@code stop} (counting over all its routes). */
    private static String routeId(String tag, int d, int stop) {
        return tag + "-R" + d + "-" + stop / Limits.MAX_STOPS_PER_ROUTE;
    }

    /** Per stop, over the device's routes one after the other: arrived, item scanned, note, delivered. */
    static List<CapturedEvent> events(String tag, int d, int count) {
        List<CapturedEvent> out = new ArrayList<>(count);
        Instant t = Instant.now().minusSeconds(60);
        for (int i = 0; i < count; i++) {
            int stop = i / CYCLE.length;
            String routeId = routeId(tag, d, stop);
            int s = stop % Limits.MAX_STOPS_PER_ROUTE;
            EventType type = CYCLE[i % CYCLE.length];
            EventPayload payload = type == EventType.DELIVERED
                    ? EventPayload.EMPTY.withLines(
                            List.of(new LineOutcome(routeId + "-O" + s, "L1", new BigDecimal("3"), null, null, true)))
                    : null;
            out.add(new CapturedEvent(
                    IdempotencyKeys.newKey(), (long) i + 1, type, routeId + "-S" + s, 1, t.plusMillis(i), payload));
        }
        return out;
    }

    static void writeJson(Path file, Object value) throws IOException {
        Files.writeString(file, ProtocolJson.toString(value));
    }
}
