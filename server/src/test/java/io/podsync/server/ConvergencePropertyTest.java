package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EventPayload;
import io.podsync.protocol.EventResult;
import io.podsync.protocol.EventType;
import io.podsync.protocol.GeoFix;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The property behind the whole sync design: for random routes and event sets from two devices of one driver, any
 * arrival order, any duplication and any batching give the same stop states, the same verdicts and the same
 * exception queue; and once operations resolved every exception (in a random order, accepting or dismissing), the
 * last message the ERP received for each stop states the stop's final outcome.
 */
class ConvergencePropertyTest {
    static TestServer server;
    static ErpReceiver erp;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        erp = ErpReceiver.start(0, List.of(ErpForwardingTest.SECRET), Clock.systemUTC());
        alsoClose.add(erp);
        server = TestServer.start(dir, TestServer.withErp(db, erp.url(), ErpForwardingTest.SECRET));
        return server;
    });

    private static final int SCENARIOS = 8;
    private static final int PERMUTATIONS = 5;
    private static int run = 0;

    /** An event before it belongs to a run: device role "A" or "B", a role-local key. */
    record Planned(
            String device,
            String key,
            EventType type,
            int stop,
            int attempt,
            long offsetMillis,
            EventPayload payload) {}

    /**
     * What one run ended with, with run-specific ids replaced by roles, so runs compare: before any resolution, the
     * verdicts, states and exceptions; after all of them, what the ERP's last message per stop says.
     */
    record Outcome(
            Map<String, String> verdicts,
            Map<String, String> states,
            TreeSet<String> exceptions,
            Map<String, String> erpView) {}

    @Test
    void anyOrderAnyDuplicationAnyBatchingGivesTheSameResult() throws Exception {
        for (int scenario = 0; scenario < SCENARIOS; scenario++) {
            Random random = new Random(1000 + scenario);
            int stops = 3 + random.nextInt(4);
            List<Planned> plan = plan(random, stops);
            Outcome reference = null;
            for (int p = 0; p < PERMUTATIONS; p++) {
                Outcome outcome = execute(plan, stops, new Random(scenario * 100L + p));
                if (reference == null) {
                    reference = outcome;
                    assertTrue(outcome.verdicts().values().stream().anyMatch(v -> v.startsWith("applied")));
                } else {
                    assertEquals(
                            reference.verdicts(), outcome.verdicts(), "verdicts, scenario " + scenario + " run " + p);
                    assertEquals(reference.states(), outcome.states(), "states, scenario " + scenario + " run " + p);
                    assertEquals(
                            reference.exceptions(),
                            outcome.exceptions(),
                            "exceptions, scenario " + scenario + " run " + p);
                    assertEquals(
                            reference.erpView(), outcome.erpView(), "ERP view, scenario " + scenario + " run " + p);
                }
            }
        }
    }

    private static List<Planned> plan(Random r, int stops) {
        List<Planned> out = new ArrayList<>();
        int k = 0;
        for (int s = 1; s <= stops; s++) {
            long base = s * 30_000L;
            int story = r.nextInt(10);
            List<Object[]> steps = new ArrayList<>(); // type, attempt, payload
            switch (story) {
                case 0 -> {
                    steps.add(new Object[] {EventType.ARRIVED, 1, null});
                    steps.add(new Object[] {EventType.DELIVERED, 1, full(s)});
                }
                case 1 -> {
                    steps.add(new Object[] {EventType.ARRIVED, 1, null});
                    steps.add(new Object[] {EventType.FAILED, 1, failure("NO_ONE_HOME")});
                    steps.add(new Object[] {EventType.ARRIVED, 2, null});
                    steps.add(new Object[] {
                        r.nextBoolean() ? EventType.DELIVERED : EventType.PARTIALLY_DELIVERED,
                        2,
                        r.nextBoolean() ? full(s) : shortOf(s, r.nextBoolean())
                    });
                }
                case 2 -> {
                    steps.add(new Object[] {EventType.ARRIVED, 1, null});
                    steps.add(new Object[] {EventType.DELIVERED, 1, full(s)});
                    steps.add(new Object[] {EventType.FAILED, 1, failure("REFUSED")});
                }
                case 3 -> {
                    steps.add(new Object[] {EventType.ARRIVED, 1, far()});
                    steps.add(new Object[] {EventType.PARTIALLY_DELIVERED, 1, shortOf(s, r.nextBoolean())});
                }
                case 4 -> {
                    steps.add(new Object[] {EventType.NOTE, 1, null});
                    steps.add(new Object[] {EventType.ITEM_SCANNED, 1, null});
                }
                case 5 -> {
                    steps.add(new Object[] {EventType.DELIVERED, 1, full(s)});
                    steps.add(new Object[] {EventType.ARRIVED, 2, null});
                }
                case 6 -> {
                    // Attempts opened only by a note or a scan, before and after the success that wins: which of
                    // them count as after completion depends on events that may arrive last.
                    steps.add(new Object[] {EventType.DELIVERED, 3, full(s)});
                    steps.add(new Object[] {EventType.NOTE, 2, null});
                    steps.add(new Object[] {EventType.ITEM_SCANNED, 4, null});
                    steps.add(new Object[] {EventType.DELIVERED, 1, full(s)});
                }
                case 8, 9 -> {
                    // One phone delivers; the other had failed the same attempt earlier, and its events may arrive
                    // after the delivery was confirmed. Story 8 fails for a reason that is not final, 9 for one that
                    // is.
                    steps.add(new Object[] {EventType.ARRIVED, 1, null, "B"});
                    steps.add(new Object[] {EventType.FAILED, 1, failure(story == 8 ? "NO_ONE_HOME" : "REFUSED"), "B"});
                    steps.add(new Object[] {EventType.DELIVERED, 1, full(s), "A"});
                }
                default -> {
                    steps.add(new Object[] {EventType.ARRIVED, 1, null});
                    steps.add(
                            new Object[] {EventType.FAILED, 1, failure(r.nextBoolean() ? "BUSINESS_CLOSED" : "MARTIANS")
                            });
                }
            }
            for (int i = 0; i < steps.size(); i++) {
                Object[] st = steps.get(i);
                // Which phone captured it: stories hop between the driver's two devices, unless the story says.
                String device = st.length > 3 ? (String) st[3] : r.nextInt(3) == 0 ? "B" : "A";
                out.add(new Planned(
                        device, "e" + (k++), (EventType) st[0], s, (Integer) st[1], base + i * 2_000L, (EventPayload)
                                st[2]));
            }
        }
        out.add(new Planned("A", "e" + (k++), EventType.NOTE, 99, 1, 1_000, null)); // unknown stop: rejected
        return out;
    }

    private static EventPayload full(int s) {
        return EventPayload.EMPTY.withLines(List.of(
                new LineOutcome("O" + s, "L1", new BigDecimal("4"), null, null, true),
                new LineOutcome("O" + s, "L2", new BigDecimal("2"), null, null, true)));
    }

    private static EventPayload shortOf(int s, boolean explained) {
        return EventPayload.EMPTY.withLines(List.of(new LineOutcome(
                "O" + s, "L1", new BigDecimal("3"), BigDecimal.ONE, explained ? "DAMAGED" : null, true)));
    }

    private static EventPayload failure(String reason) {
        return EventPayload.EMPTY.withReasonCode(reason);
    }

    private static EventPayload far() {
        return EventPayload.EMPTY.withLocation(new GeoFix(10.0, 10.0, 5.0));
    }

    private Outcome execute(List<Planned> plan, int stops, Random r) throws Exception {
        String prefix = "P" + (++run) + "-";
        // Stop s of the route is <prefix>R-S<s> with order O<s> renamed per run; orders are route-unique.
        var route = Fixtures.route(prefix + "R", prefix + "D", stops);
        var renamed = new ArrayList<io.podsync.protocol.StopSpec>();
        for (var st : route.stops()) {
            int s = st.sequence();
            var o = st.orders().get(0);
            renamed.add(new io.podsync.protocol.StopSpec(
                    st.stopId(),
                    s,
                    st.address(),
                    st.location(),
                    st.geofenceRadiusMeters(),
                    st.timeWindow(),
                    st.proofPolicy(),
                    List.of(new io.podsync.protocol.OrderSpec(prefix + "O" + s, o.lines(), false)),
                    false));
        }
        server.erp()
                .releaseRoute(
                        prefix + "R",
                        new io.podsync.protocol.RouteRelease(
                                route.driverId(), route.vehicleId(), route.serviceDate(), renamed));
        Instant release = Instant.now();
        Map<String, TestServer.Device> devices =
                Map.of("A", server.device(prefix + "D"), "B", server.device(prefix + "D"));

        // Each device numbers its own events in capture order.
        Map<String, List<CapturedEvent>> byDevice = new TreeMap<>();
        List<Planned> sorted = new ArrayList<>(plan);
        sorted.sort((a, b) -> Long.compare(a.offsetMillis(), b.offsetMillis()));
        Map<String, Long> seqs = new TreeMap<>();
        for (Planned p : sorted) {
            long seq = seqs.merge(p.device(), 1L, Long::sum);
            String stopId = prefix + "R-S" + p.stop();
            byDevice.computeIfAbsent(p.device(), d -> new ArrayList<>())
                    .add(new CapturedEvent(
                            prefix + p.key(),
                            seq,
                            p.type(),
                            stopId,
                            p.attempt(),
                            release.minusSeconds(240).plusMillis(p.offsetMillis()),
                            rename(p.payload(), prefix)));
        }
        // Shuffle, duplicate, split into batches; the two devices push at the same time.
        Map<String, String> verdicts = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> done = new ArrayList<>();
        for (var entry : byDevice.entrySet()) {
            List<CapturedEvent> events = new ArrayList<>(entry.getValue());
            int dups = r.nextInt(events.size() + 1);
            for (int i = 0; i < dups; i++) {
                events.add(events.get(r.nextInt(events.size())));
            }
            Collections.shuffle(events, r);
            List<List<CapturedEvent>> batches = new ArrayList<>();
            for (int i = 0; i < events.size(); ) {
                int n = 1 + r.nextInt(5);
                batches.add(events.subList(i, Math.min(events.size(), i + n)));
                i += n;
            }
            TestServer.Device device = devices.get(entry.getKey());
            done.add(pool.submit(() -> {
                for (List<CapturedEvent> batch : batches) {
                    for (EventResult res : device.client()
                            .push(new PushRequest(Instant.now(), batch))
                            .results()) {
                        EventResult effective = res.verdict() == Verdict.DUPLICATE ? res.original() : res;
                        String v = effective.verdict().wire() + "|" + effective.reason() + "|" + effective.flags();
                        String key = res.idempotencyKey().substring(prefix.length());
                        String was = verdicts.putIfAbsent(key, v);
                        assertTrue(was == null || was.equals(v), "one key, two verdicts: " + was + " / " + v);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        Map<String, String> roleOfDevice =
                Map.of(devices.get("A").id(), "A", devices.get("B").id(), "B");
        Map<String, String> states = new TreeMap<>();
        for (StopStateView s : server.erp().route(prefix + "R").states()) {
            states.put(
                    s.stopId().substring(prefix.length()),
                    String.join(
                            "|",
                            s.status(),
                            String.valueOf(s.attempt()),
                            relative(s.arrivedAt(), release),
                            relative(s.completedAt(), release),
                            s.outcomeEventKey() == null
                                    ? "-"
                                    : s.outcomeEventKey().substring(prefix.length()),
                            s.outcomeDeviceId() == null ? "-" : roleOfDevice.get(s.outcomeDeviceId()),
                            s.anomalies().toString()));
        }
        TreeSet<String> exceptions = new TreeSet<>();
        String ops = server.ops().authenticate().accessToken();
        JsonNode page = ProtocolJson.read(
                server.send("GET", "/v1/ops/exceptions?status=open&limit=1000&routeId=" + prefix + "R", null, null, ops)
                        .body(),
                JsonNode.class);
        for (JsonNode x : page.get("items")) {
            exceptions.add(x.get("kind").asText() + "|" + x.get("codes") + "|"
                    + x.get("stopId").asText().substring(prefix.length()) + "|"
                    + (x.hasNonNull("idempotencyKey")
                            ? x.get("idempotencyKey").asText().substring(prefix.length())
                            : "-"));
        }
        Set<String> refused = new HashSet<>();
        byDevice.values()
                .forEach(list -> list.stream()
                        .filter(e -> "REFUSED".equals(e.payloadOrEmpty().reasonCode()))
                        .forEach(e -> refused.add(e.idempotencyKey())));
        return new Outcome(new TreeMap<>(verdicts), states, exceptions, erpView(prefix, r, roleOfDevice, refused));
    }

    /**
     * Resolves every open exception of the run's route, in a random order and with random resolutions, until none is
     * left (a correction opens one more); waits for the outbox to drain; then checks that for every stop the last
     * message the ERP received states the stop's final state, and returns those messages for comparing runs.
     *
     * @param refused the keys of the failures for a terminal reason (the stories use REFUSED only): a stop they decide
     *     is settled, and the ERP must have heard of it
     */
    private Map<String, String> erpView(String prefix, Random r, Map<String, String> roleOfDevice, Set<String> refused)
            throws Exception {
        String ops = server.ops().authenticate().accessToken();
        for (int round = 0; ; round++) {
            List<JsonNode> open = new ArrayList<>();
            ProtocolJson.read(
                            server.send(
                                            "GET",
                                            "/v1/ops/exceptions?status=open&limit=1000&routeId=" + prefix + "R",
                                            null,
                                            null,
                                            ops)
                                    .body(),
                            JsonNode.class)
                    .get("items")
                    .forEach(open::add);
            if (open.isEmpty()) {
                break;
            }
            assertTrue(round < 10, "resolutions keep opening exceptions: " + open);
            Collections.shuffle(open, r);
            for (JsonNode x : open) {
                server.ops()
                        .resolveException(
                                x.get("id").asLong(), r.nextBoolean() ? "accepted" : "dismissed", "property test");
            }
        }
        TestServer.await(
                () -> {
                    for (JsonNode m :
                            server.outbox("?status=pending&limit=1000").get("items")) {
                        if (m.get("routeId").asText().startsWith(prefix)) {
                            return false;
                        }
                    }
                    return true;
                },
                "the outbox of " + prefix + " drained");
        Map<String, Delivery> last = new TreeMap<>();
        for (Delivery d : erp.deliveries()) {
            if (d.subject().startsWith("stops/" + prefix)) {
                last.put(d.subject().substring(("stops/" + prefix).length()), d); // in the order received
            }
        }
        Map<String, String> view = new TreeMap<>();
        for (StopStateView s : server.erp().route(prefix + "R").states()) {
            String stop = s.stopId().substring(prefix.length());
            Delivery d = last.get(stop);
            boolean outcome = s.outcomeEventKey() != null;
            boolean settled = s.status().equals("delivered")
                    || s.status().equals("partially_delivered")
                    || (s.status().equals("failed") && refused.contains(s.outcomeEventKey()));
            if (settled) {
                assertTrue(d != null, "the ERP never heard of settled stop " + stop + ": " + s);
            }
            if (d == null) {
                view.put(stop, "-");
                continue;
            }
            assertTrue(outcome, "the ERP heard of " + stop + " that has no outcome: " + s);
            assertEquals(s.status(), d.data().get("outcome").asText(), "the ERP's last word on " + stop);
            assertEquals(
                    s.outcomeEventKey(), d.data().get("outcomeEventKey").asText(), "the ERP's last word on " + stop);
            // A failure that will be re-attempted settles nothing: the ERP that heard "delivered" first and then
            // this correction believes what one that heard nothing believes.
            view.put(
                    stop,
                    d.data().get("finalOutcome").asBoolean()
                            ? d.data().get("outcome").asText() + "|"
                                    + d.data().get("outcomeEventKey").asText().substring(prefix.length()) + "|"
                                    + roleOfDevice.get(d.data().get("deviceId").asText())
                            : "-");
        }
        return view;
    }

    private static String relative(Instant t, Instant origin) {
        return t == null ? "-" : String.valueOf(t.toEpochMilli() - origin.toEpochMilli());
    }

    private static EventPayload rename(EventPayload p, String prefix) {
        if (p == null || p.lines() == null) {
            return p;
        }
        List<LineOutcome> lines = p.lines().stream()
                .map(l -> new LineOutcome(
                        prefix + l.orderId(), l.lineId(), l.delivered(), l.refused(), l.reasonCode(), l.scanned()))
                .toList();
        return EventPayload.EMPTY
                .withRecipient(p.recipient())
                .withLines(lines)
                .withLocation(p.location())
                .withEvidence(p.evidence())
                .withReasonCode(p.reasonCode())
                .withNote(p.note())
                .withOrderId(p.orderId())
                .withLineId(p.lineId())
                .withBarcode(p.barcode())
                .withManualEntry(p.manualEntry());
    }
}
