package io.podsync.server;

import io.podsync.protocol.Trace;
import io.podsync.protocol.TraceKey;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.ops.TraceService;
import io.podsync.storage.DatabaseConfig;
import io.podsync.storage.jdbc.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * The trace API on a big SQLite database: fills one with a fleet's history (by default 1,000,000 events on 50,000
 * stops of 2,000 routes, with their orders, route versions, pulls, evidence, exceptions and ERP messages) by direct SQL,
 * then asks for traces by each key as operations would, through {@link TraceService#trace}, and writes a report.
 * Run by {@code deploy/bench-trace.sh}; not a test (timings are reported, never asserted).
 *
 * <p>Arguments: {@code [events] [report file] [database directory]}.
 */
public final class TraceBench {
    private static final int STOPS_PER_ROUTE = 25;
    private static final int EVENTS_PER_PUSH = 5;
    private static final int SAMPLES = 300;
    private static final String PAYLOAD =
            "{\"attempt\":1,\"capturedAt\":\"2026-11-23T09:41:07Z\",\"location\":{\"lat\":52.38,"
                    + "\"lon\":4.89,\"accuracyMeters\":8.0},\"note\":\"" + "x".repeat(200) + "\"}";

    private final int eventsPerStop;
    private final int routes;
    private final Random random = new Random(4711);
    private final HexFormat hex = HexFormat.of();

    private TraceBench(long events) {
        this.eventsPerStop = 20;
        this.routes = (int) Math.max(1, events / eventsPerStop / STOPS_PER_ROUTE);
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Path report = Path.of(args.length > 1 ? args[1] : "trace-bench.md");
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("trace-bench");
        new TraceBench(events).run(dir.resolve("podsync.db"), report);
    }

    private void run(Path file, Path report) throws Exception {
        Database.open(DatabaseConfig.sqlite(file)).close(); // migrated as the server does
        long t0 = System.nanoTime();
        long rows;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=OFF");
            }
            c.setAutoCommit(false);
            rows = fill(c);
            c.commit();
        }
        double fillSeconds = (System.nanoTime() - t0) / 1e9;
        StringBuilder out = new StringBuilder();
        out.append("# Trace API benchmark\n\n");
        out.append(String.format(
                Locale.ROOT,
                "Database: SQLite, %,d events on %,d stops of %,d routes (%,d rows in all), %,d MB; filled in %.0f s."
                        + " JDK %s, %d cores.%n%n",
                (long) routes * STOPS_PER_ROUTE * eventsPerStop,
                routes * STOPS_PER_ROUTE,
                routes,
                rows,
                (Files.size(file) + walSize(file)) / (1024 * 1024),
                fillSeconds,
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors()));
        out.append("Each key asked ")
                .append(SAMPLES)
                .append(" times (after as many to warm up), random values, ")
                .append(
                        "through TraceService.trace (one read transaction on the server's pool) and into JSON as the HTTP answer, limit 1000.\n\n");
        out.append("| key | entries (median) | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n");
        Database db = Database.open(DatabaseConfig.sqlite(file));
        try {
            TraceService service = new TraceService(db, true);
            Principal ops = new Principal("ops", Set.of(Scope.OPS), null);
            for (Key key : keys()) {
                measure(service, ops, key, out); // warm-up, discarded
                out.setLength(out.lastIndexOf("\n|", out.length() - 2) + 1);
                measure(service, ops, key, out);
            }
        } finally {
            db.close();
        }
        System.out.print(out);
        Files.writeString(report, out.toString());
    }

    private static long walSize(Path file) throws IOException {
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    /** A key and how to draw one of its values. */
    private record Key(String name, TraceKey key, java.util.function.IntFunction<String> value) {}

    private List<Key> keys() {
        int stops = routes * STOPS_PER_ROUTE;
        return List.of(
                new Key("orderId", TraceKey.ORDER_ID, i -> "O-" + random.nextInt(stops)),
                new Key("stopId", TraceKey.STOP_ID, i -> "S-" + random.nextInt(stops)),
                new Key("routeId (25 stops)", TraceKey.ROUTE_ID, i -> "R-" + random.nextInt(routes)),
                new Key(
                        "correlationId (a push)",
                        TraceKey.CORRELATION_ID,
                        i -> pushCorrelation(random.nextInt(stops), random.nextInt(eventsPerStop / EVENTS_PER_PUSH))),
                new Key(
                        "correlationId (a release: whole route)",
                        TraceKey.CORRELATION_ID,
                        i -> "rel-" + random.nextInt(routes) + "-1"),
                new Key(
                        "idempotencyKey",
                        TraceKey.IDEMPOTENCY_KEY,
                        i -> eventKey(random.nextInt(stops), random.nextInt(eventsPerStop))),
                new Key("sha256", TraceKey.SHA256, i -> sha(random.nextInt(stops))),
                new Key("orderId (unknown)", TraceKey.ORDER_ID, i -> "NONE-" + i));
    }

    /** Asks for {@link #SAMPLES} traces by one key; the time includes the JSON the HTTP answer would carry. */
    private static void measure(TraceService service, Principal ops, Key key, StringBuilder out) {
        long[] nanos = new long[SAMPLES];
        int[] entries = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            String value = key.value().apply(i);
            long t = System.nanoTime();
            Trace trace = service.trace(ops, key.key(), value, 1000);
            ProtocolJson.toBytes(trace);
            nanos[i] = System.nanoTime() - t;
            entries[i] = trace.entries().size();
        }
        Arrays.sort(nanos);
        Arrays.sort(entries);
        out.append(String.format(
                Locale.ROOT,
                "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n",
                key.name(),
                entries[SAMPLES / 2],
                nanos[SAMPLES / 2] / 1e6,
                nanos[SAMPLES * 95 / 100] / 1e6,
                nanos[SAMPLES * 99 / 100] / 1e6,
                nanos[SAMPLES - 1] / 1e6));
    }

    // --- what the trace's indexes on events cost a push ---

    private static final int COST_ROUNDS = 8;
    private static final int COST_ROWS = 40_000;

    private static String row(String name, double[] micros) {
        double[] sorted = micros.clone();
        Arrays.sort(sorted);
        StringBuilder rounds = new StringBuilder();
        for (double m : micros) {
            rounds.append(rounds.isEmpty() ? "" : " / ").append(String.format(Locale.ROOT, "%.2f", m));
        }
        return String.format(
                Locale.ROOT,
                "| %s | %s | %.2f |%n",
                name,
                rounds,
                (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2);
    }

    /** Inserts {@code n} events in pushes of {@code pushRows}; returns microseconds per row. */
    private static double insertEvents(Database db, long[] next, int which, int n, int pushRows, Random r) {
        long t = System.nanoTime();
        for (int done = 0; done < n; done += pushRows) {
            String correlation = new UUID(r.nextLong(), r.nextLong()).toString();
            List<io.podsync.storage.EventRow> push = new java.util.ArrayList<>(pushRows);
            for (int i = 0; i < pushRows; i++) {
                long id = next[which]++;
                long now = 1_764_000_000_000L + id * 10;
                push.add(new io.podsync.storage.EventRow(
                        "dev-" + (id / pushRows % 64),
                        id + 1,
                        new UUID((now << 16) | 0x7000 | (id & 0xFFF), r.nextLong()).toString(),
                        "D-1",
                        "S-" + (id / 20),
                        "R-" + (id / 500),
                        "NOTE",
                        1,
                        now,
                        now,
                        now,
                        0,
                        "APPLIED",
                        null,
                        null,
                        "",
                        "f",
                        0,
                        null,
                        PAYLOAD,
                        correlation,
                        null,
                        null));
            }
            db.write(tx -> tx.events().insertAll(push));
        }
        return (System.nanoTime() - t) / 1e3 / n;
    }

    // --- the fill ---

    private String eventKey(int stop, int n) {
        return new UUID(stop * 1000L + n, 0x4711L).toString();
    }

    private static String pushCorrelation(int stop, int push) {
        return "push-" + stop + "-" + push;
    }

    private String sha(int stop) {
        byte[] b = new byte[32];
        new Random(stop).nextBytes(b);
        return hex.formatHex(b);
    }

    private long fill(Connection c) throws SQLException {
        long rows = 0;
        long base = 1_764_000_000_000L;
        try (PreparedStatement route = c.prepareStatement(
                        "INSERT INTO routes (route_id, driver_id, vehicle_id, service_date, status, version, content_hash,"
                                + " released_at, updated_at, view_json, release_json) VALUES (?, ?, 'VAN', '2026-11-23',"
                                + " 'active', 2, 'h', ?, ?, '{}', '{}')");
                PreparedStatement version = c.prepareStatement(
                        "INSERT INTO route_versions (route_id, version, driver_id, status, released_at, released_by,"
                                + " correlation_id) VALUES (?, ?, ?, 'active', ?, 'erp', ?)");
                PreparedStatement enrolled = c.prepareStatement(
                        "INSERT INTO devices (device_id, driver_id, secret_hash, status, created_at, max_seq)"
                                + " VALUES (?, ?, 'h', 'active', ?, 0)");
                PreparedStatement pull = c.prepareStatement(
                        "INSERT INTO route_pulls (device_id, route_id, version, driver_id, pulled_at) VALUES (?, ?, ?, ?, ?)");
                PreparedStatement stop = c.prepareStatement(
                        "INSERT INTO stops (stop_id, route_id, driver_id, sequence, lat, lon, geofence_m, status, version,"
                                + " content_hash, policy_json, view_json, released_at, updated_at) VALUES (?, ?, ?, ?, 52.3,"
                                + " 4.9, 100, 'active', 2, 'h', '{}', '{}', ?, ?)");
                PreparedStatement line = c.prepareStatement(
                        "INSERT INTO order_lines (stop_id, order_id, line_id, sku, description, quantity, unit, cancelled)"
                                + " VALUES (?, ?, ?, 'SKU', 'Water', '4', 'case', 0)");
                PreparedStatement event = c.prepareStatement(
                        "INSERT INTO events (device_id, seq, idempotency_key, driver_id, stop_id, route_id, type, attempt,"
                                + " captured_at, corrected_at, received_at, clock_offset_ms, verdict, flags, fingerprint,"
                                + " feed_seq, payload_json, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 0,"
                                + " 'APPLIED', '', 'f', ?, ?, ?)");
                PreparedStatement evidence = c.prepareStatement(
                        "INSERT INTO event_evidence (device_id, idempotency_key, sha256, driver_id) VALUES (?, ?, ?, ?)");
                PreparedStatement artifact = c.prepareStatement(
                        "INSERT INTO artifacts (sha256, size, media_type, kind, stored_at) VALUES (?, 250000,"
                                + " 'image/jpeg', 'photo', ?)");
                PreparedStatement upload = c.prepareStatement(
                        "INSERT INTO uploads (upload_id, device_id, driver_id, sha256, size, media_type, kind, upload_offset,"
                                + " status, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, 250000, 'image/jpeg',"
                                + " 'photo', 250000, 'completed', ?, ?, ?)");
                PreparedStatement exception = c.prepareStatement(
                        "INSERT INTO exceptions (exception_id, dedupe_key, kind, status, codes, route_id, stop_id, driver_id,"
                                + " device_id, idempotency_key, created_at, updated_at, resolved_at, resolved_by, resolution,"
                                + " note) VALUES (?, ?, 'flagged_event', 'resolved', 'outside_geofence', ?, ?, ?, ?, ?, ?, ?,"
                                + " ?, 'ops', 'accepted', 'checked by phone')");
                PreparedStatement outbox = c.prepareStatement(
                        "INSERT INTO outbox (outbox_id, message_id, endpoint, dedupe_key, partition_key, type, stop_id,"
                                + " route_id, payload_json, status, attempts, next_attempt_at, created_at, delivered_at,"
                                + " correlation_id) VALUES (?, ?, 'erp', ?, ?, ?, ?, ?, '{}', 'delivered', ?, ?, ?, ?, ?)");
                PreparedStatement attempt = c.prepareStatement(
                        "INSERT INTO outbox_attempts (outbox_id, attempt, at, status_code, error, duration_ms)"
                                + " VALUES (?, ?, ?, ?, ?, 40)")) {
            long feed = 0;
            long outboxId = 0;
            long exceptionId = 0;
            String[] types = {"ARRIVED", "ITEM_SCANNED", "NOTE", "DEPARTED"};
            for (int r = 0; r < routes; r++) {
                String routeId = "R-" + r;
                String driver = "D-" + r;
                String device = "dev-" + r;
                long released = base + r * 1000L;
                route.setString(1, routeId);
                route.setString(2, driver);
                route.setLong(3, released);
                route.setLong(4, released + 600_000);
                route.addBatch();
                enrolled.setString(1, device);
                enrolled.setString(2, driver);
                enrolled.setLong(3, released);
                enrolled.addBatch();
                for (int v = 1; v <= 2; v++) {
                    long at = released + (v - 1) * 600_000L;
                    version.setString(1, routeId);
                    version.setLong(2, v);
                    version.setString(3, driver);
                    version.setLong(4, at);
                    version.setString(5, "rel-" + r + "-" + v);
                    version.addBatch();
                    pull.setString(1, device);
                    pull.setString(2, routeId);
                    pull.setLong(3, v);
                    pull.setString(4, driver);
                    pull.setLong(5, at + 60_000);
                    pull.addBatch();
                    rows += 2;
                }
                for (int s = 0; s < STOPS_PER_ROUTE; s++) {
                    int stopNo = r * STOPS_PER_ROUTE + s;
                    String stopId = "S-" + stopNo;
                    stop.setString(1, stopId);
                    stop.setString(2, routeId);
                    stop.setString(3, driver);
                    stop.setInt(4, s + 1);
                    stop.setLong(5, released);
                    stop.setLong(6, released);
                    stop.addBatch();
                    for (int l = 1; l <= 2; l++) {
                        line.setString(1, stopId);
                        line.setString(2, "O-" + stopNo);
                        line.setString(3, "L" + l);
                        line.addBatch();
                    }
                    rows += 3;
                    long stopTime = released + 3_600_000L + s * 900_000L;
                    String photo = sha(stopNo);
                    String deliveryKey = null;
                    for (int n = 0; n < eventsPerStop; n++) {
                        boolean last = n == eventsPerStop - 1;
                        String key = eventKey(stopNo, n);
                        long at = stopTime + n * 20_000L;
                        event.setString(1, device);
                        event.setLong(2, (long) s * eventsPerStop + n + 1);
                        event.setString(3, key);
                        event.setString(4, driver);
                        event.setString(5, stopId);
                        event.setString(6, routeId);
                        event.setString(7, last ? "DELIVERED" : types[n % types.length]);
                        event.setLong(8, at);
                        event.setLong(9, at);
                        event.setLong(10, at + 5_000);
                        event.setLong(11, ++feed);
                        event.setString(12, PAYLOAD);
                        event.setString(13, pushCorrelation(stopNo, n / EVENTS_PER_PUSH));
                        event.addBatch();
                        rows++;
                        if (last) {
                            deliveryKey = key;
                        }
                    }
                    evidence.setString(1, device);
                    evidence.setString(2, deliveryKey);
                    evidence.setString(3, photo);
                    evidence.setString(4, driver);
                    evidence.addBatch();
                    long delivered = stopTime + (eventsPerStop - 1) * 20_000L;
                    upload.setString(1, "up-" + stopNo);
                    upload.setString(2, device);
                    upload.setString(3, driver);
                    upload.setString(4, photo);
                    upload.setLong(5, delivered + 10_000);
                    upload.setLong(6, delivered + 30_000);
                    upload.setLong(7, delivered + 86_400_000);
                    upload.addBatch();
                    artifact.setString(1, photo);
                    artifact.setLong(2, delivered + 30_000);
                    artifact.addBatch();
                    rows += 3;
                    if (stopNo % 20 == 0) { // one stop in 20 has a resolved exception
                        exception.setLong(1, ++exceptionId);
                        exception.setString(2, "stop:" + stopId + ":flagged_event");
                        exception.setString(3, routeId);
                        exception.setString(4, stopId);
                        exception.setString(5, driver);
                        exception.setString(6, device);
                        exception.setString(7, deliveryKey);
                        exception.setLong(8, delivered + 5_000);
                        exception.setLong(9, delivered + 900_000);
                        exception.setLong(10, delivered + 900_000);
                        exception.addBatch();
                        rows++;
                    }
                    // milestones (arrived) and the proof of delivery, each with its attempts (one in 10 retried once)
                    for (String type : List.of("io.podsync.stop.arrived.v1", "io.podsync.pod.delivered.v1")) {
                        long created = type.contains("pod") ? delivered + 30_000 : stopTime + 5_000;
                        boolean retried = stopNo % 10 == 0;
                        outbox.setLong(1, ++outboxId);
                        outbox.setString(2, UUID.randomUUID().toString());
                        outbox.setString(3, type + ":" + stopId);
                        outbox.setString(4, stopId);
                        outbox.setString(5, type);
                        outbox.setString(6, stopId);
                        outbox.setString(7, routeId);
                        outbox.setInt(8, retried ? 2 : 1);
                        outbox.setLong(9, created);
                        outbox.setLong(10, created);
                        outbox.setLong(11, created + 2_000);
                        outbox.setString(12, pushCorrelation(stopNo, 0));
                        outbox.addBatch();
                        rows++;
                        for (int a = 1; a <= (retried ? 2 : 1); a++) {
                            boolean ok = a == (retried ? 2 : 1);
                            attempt.setLong(1, outboxId);
                            attempt.setInt(2, a);
                            attempt.setLong(3, created + a * 1_000L);
                            attempt.setInt(4, ok ? 200 : 503);
                            attempt.setString(5, ok ? null : "Service Unavailable");
                            attempt.addBatch();
                            rows++;
                        }
                    }
                }
                if (r % 20 == 19 || r == routes - 1) {
                    for (PreparedStatement ps : List.of(
                            route, enrolled, version, pull, stop, line, event, evidence, artifact, upload, exception,
                            outbox, attempt)) {
                        ps.executeBatch();
                    }
                    if (r % 200 == 199) {
                        c.commit();
                        System.err.printf(Locale.ROOT, "%,d of %,d routes%n", r + 1, routes);
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE counters SET value = " + feed + " WHERE name = 'change_feed'");
                s.executeUpdate("UPDATE counters SET value = " + outboxId + " WHERE name = 'outbox'");
                s.executeUpdate("UPDATE counters SET value = " + exceptionId + " WHERE name = 'exception'");
            }
        }
        return rows;
    }
}
