package io.podsync.simulator.fleet;

import io.podsync.protocol.Change;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.OrderSpec;
import io.podsync.protocol.PullResponse;
import io.podsync.protocol.RouteRelease;
import io.podsync.protocol.StopSpec;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.client.PodsyncClient;
import io.podsync.protocol.client.PodsyncClientException;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Provisions a fleet through the ERP API, runs it for a number of steps with faults injected, lets everyone sync
 * until quiet, and judges the result. Devices run in parallel within a step but each decides from its own seeded
 * {@link Random}, so a seed replays the same captures, outages, crashes and cuts.
 */
public final class Fleet {
    private static final int MAX_FINAL_ROUNDS = 200;
    private static final Duration ERP_WAIT = Duration.ofSeconds(30);

    /** The result of a run: its report, and what the verdict was computed from (so tests can recheck). */
    public static final class Result {
        private final FleetReport report;
        private final Ledger ledger;
        private final Observations observations;
        private final Function<Ledger.Entry, Set<String>> allowed;
        private final Set<String> expectedExceptions;

        Result(
                FleetReport report,
                Ledger ledger,
                Observations observations,
                Function<Ledger.Entry, Set<String>> allowed,
                Set<String> expectedExceptions) {
            this.report = report;
            this.ledger = ledger;
            this.observations = observations;
            this.allowed = allowed;
            this.expectedExceptions = expectedExceptions;
        }

        public FleetReport report() {
            return report;
        }

        public Observations observations() {
            return observations;
        }

        /** The verdict over other observations, e.g. with a delivery removed to prove the check can fail. */
        public List<Check> recheck(Observations other) {
            return FleetVerdict.evaluate(ledger, other, allowed, expectedExceptions);
        }
    }

    /** One driver: the person's plan (survives app crashes) and the app. */
    private static final class Driver {
        final int index;
        final String routeId;
        final Random rng;
        final List<Action> plan;
        int next;
        int offlineLeft;
        SimDevice device;

        Driver(int index, String routeId, Random rng, List<Action> plan) {
            this.index = index;
            this.routeId = routeId;
            this.rng = rng;
            this.plan = plan;
        }
    }

    private final FleetOptions o;
    private final Scenario scenario;
    private final Map<Integer, List<StopSpec>> routes = new HashMap<>();
    private PodsyncClient erp;
    private final ErpReceiver receiver;
    private final Progress progress;
    private final Ledger ledger = new Ledger();
    private final String tag;

    /** @param receiver the in-process ERP receiver the server forwards to, or null to skip the ERP check */
    public Fleet(FleetOptions options, ErpReceiver receiver, Progress progress) {
        this(options, receiver, progress, null);
    }

    /** A scripted run: the scenario decides size, steps and every action; the options' fault knobs are not used. */
    public Fleet(FleetOptions options, ErpReceiver receiver, Progress progress, Scenario scenario) {
        this.scenario = scenario;
        this.o = scenario == null
                ? options
                : options.withSize(scenario.devices(), scenario.stops(), scenario.steps(), options.seed())
                        .withFaults(0, 0, false, 0, options.maxClockSkewSeconds(), 0);
        this.receiver = receiver;
        this.progress = progress;
        // unique per run so reruns against one server never share stop ids; decisions still come from the seed
        this.tag = "fleet" + options.seed() + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    public Result run() throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(o.workDir());
        List<Driver> drivers = provision();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int step = 1; step <= o.steps(); step++) {
                int s = step;
                if (scenario != null) {
                    scenario.at(step, -1).forEach(this::dispatch);
                }
                forAll(pool, drivers, d -> stepOf(d, s));
                progress.update("steps", step, o.steps());
            }
            int rounds = 0;
            while (rounds < MAX_FINAL_ROUNDS) {
                rounds++;
                int s = o.steps() + rounds;
                forAll(pool, drivers, d -> d.device.sync(s, false));
                progress.update("settling", rounds, rounds);
                if (drivers.stream().allMatch(d -> d.device.quiet())) {
                    break;
                }
                Thread.sleep(50);
            }
            progress.finish();
            Observations obs = observe(drivers);
            double seconds = (System.nanoTime() - start) / 1e9;
            Function<Ledger.Entry, Set<String>> allowed = scenario == null
                    ? e -> Set.of("applied")
                    : e -> scenario.allowed(e.device, e.event.stopId(), routeId(e.device));
            Set<String> expectedExceptions = scenario == null ? Set.of() : scenario.exceptions();
            List<Check> checks = FleetVerdict.evaluate(ledger, obs, allowed, expectedExceptions);
            FleetReport report = report(checks, obs, rounds, seconds);
            if (o.report() != null) {
                Files.writeString(o.report(), ProtocolJson.toString(report));
            }
            return new Result(report, ledger, obs, allowed, expectedExceptions);
        } finally {
            for (Driver d : drivers) {
                d.device.close();
            }
        }
    }

    private List<Driver> provision() {
        erp = new PodsyncClient(o.server()).useClient(o.erpClient(), o.erpSecret());
        Random seeds = new Random(o.seed());
        List<Driver> out = new ArrayList<>();
        for (int i = 0; i < o.devices(); i++) {
            Random rng = new Random(seeds.nextLong());
            String routeId = routeId(i);
            String driverId = driverId(i);
            RouteRelease release = StopPlans.route(routeId, driverId, i, o.stops());
            routes.put(i, new ArrayList<>(release.stops()));
            retrying(() -> erp.releaseRoute(routeId, release));
            Driver d = new Driver(i, routeId, rng, StopPlans.plan(routeId, i, o.stops(), rng));
            long skew = o.maxClockSkewSeconds() == 0
                    ? 0
                    : rng.nextLong(-o.maxClockSkewSeconds(), o.maxClockSkewSeconds() + 1L);
            int index = i;
            // A code whose redemption lost its answer is spent: a new code for every try.
            d.device = retrying(() -> SimDevice.enroll(
                    index,
                    o.workDir().resolve(tag + "-device-" + index + ".db"),
                    o.server(),
                    erp.createEnrollment(driverId).code(),
                    o.chaos(),
                    rng,
                    ledger,
                    Duration.ofSeconds(skew)));
            out.add(d);
            progress.update("enrolling", i + 1, o.devices());
        }
        return out;
    }

    private interface PerDriver {
        void run(Driver d) throws Exception;
    }

    private static void forAll(ExecutorService pool, List<Driver> drivers, PerDriver work) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (Driver d : drivers) {
            running.add(pool.submit(() -> {
                work.run(d);
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
    }

    private String routeId(int driver) {
        return tag + "-R" + driver;
    }

    private String driverId(int driver) {
        return tag + "-D" + driver;
    }

    /** A dispatcher action of a scenario: the ERP releases a changed route (protocol 5, 12). */
    private void dispatch(Scenario.Step s) {
        switch (s.action()) {
            case "reassign-stop" -> { // FROM STOP to TO: the stop id is released in the other driver's route
                int from = s.arg(0);
                int to = s.arg(s.args().size() - 1);
                StopSpec moved = StopPlans.stop(routeId(from), from, s.arg(1));
                routes.get(from).removeIf(x -> x.stopId().equals(moved.stopId()));
                routes.get(to).add(moved);
                release(to);
                release(from);
            }
            case "amend-route" -> { // DRIVER drop STOP
                int d = s.arg(0);
                String stop = StopPlans.stopId(routeId(d), s.arg(s.args().size() - 1));
                routes.get(d).removeIf(x -> x.stopId().equals(stop));
                release(d);
            }
            case "cancel-order" -> { // DRIVER STOP
                int d = s.arg(0);
                String stop = StopPlans.stopId(routeId(d), s.arg(1));
                routes.get(d).replaceAll(x -> x.stopId().equals(stop) ? cancelled(x) : x);
                release(d);
            }
            default -> throw new IllegalArgumentException("unknown dispatcher action " + s.action());
        }
    }

    private static StopSpec cancelled(StopSpec x) {
        List<OrderSpec> orders = x.orders().stream()
                .map(ord -> new OrderSpec(ord.orderId(), ord.lines(), true))
                .toList();
        return new StopSpec(
                x.stopId(),
                x.sequence(),
                x.address(),
                x.location(),
                x.geofenceRadiusMeters(),
                x.timeWindow(),
                x.proofPolicy(),
                orders,
                x.cancelled());
    }

    private void release(int driver) {
        RouteRelease release = new RouteRelease(
                driverId(driver), "VAN-" + driver, java.time.LocalDate.now(), List.copyOf(routes.get(driver)));
        retrying(() -> erp.releaseRoute(routeId(driver), release));
    }

    /** How long an ERP or ops call of the fleet is tried again while the server does not answer. */
    private static final Duration RETRY_FOR = Duration.ofSeconds(90);

    /**
     * An ERP or ops call made as a real integration makes it: no answer, a 429 or a 5xx (a replica restarting behind
     * a load balancer, a database restarting) is tried again after a growing pause, for up to {@link #RETRY_FOR}.
     * Devices need none of this: their outbox already sends again what had no answer.
     */
    static <T> T retrying(java.util.function.Supplier<T> call) {
        long deadline = System.nanoTime() + RETRY_FOR.toNanos();
        for (long pause = 100; ; pause = Math.min(2_000, pause * 2)) {
            try {
                return call.get();
            } catch (PodsyncClientException e) {
                if (!e.isRetryable() || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** A device's scripted actions at a step; it syncs afterwards when it is online. */
    private void scriptedStep(Driver d, int step) {
        for (Scenario.Step s : scenario.at(step, d.index)) {
            switch (s.action()) {
                case "offline" -> {
                    d.offlineLeft = Integer.MAX_VALUE;
                    ledger.offlinePeriods.incrementAndGet();
                }
                case "online" -> d.offlineLeft = 0;
                case "reboot" -> {
                    ledger.crashes.incrementAndGet();
                    d.device.restart();
                }
                case "clock-jump" -> d.device.jumpClock(Duration.ofSeconds(s.arg(0)));
                case "capture" -> {
                    int n = s.args().isEmpty() ? 1 : s.arg(0);
                    for (int i = 0; i < n && d.next < d.plan.size(); i++) {
                        d.device.capture(d.plan.get(d.next++), step);
                    }
                }
                default -> throw new IllegalArgumentException("unknown device action " + s.action());
            }
        }
        if (d.offlineLeft == 0) {
            d.device.sync(step, false);
        }
    }

    /** One simulated step of one driver: maybe crash, maybe lose the network, maybe capture, and sync if online. */
    private void stepOf(Driver d, int step) {
        if (scenario != null) {
            scriptedStep(d, step);
            return;
        }
        if (d.rng.nextDouble() < o.crashProbability()) {
            crash(d);
        }
        if (d.offlineLeft > 0) {
            d.offlineLeft--;
        } else if (d.rng.nextDouble() < o.offlineProbability()) {
            d.offlineLeft = 1 + d.rng.nextInt(o.maxOfflineSteps());
            ledger.offlinePeriods.incrementAndGet();
        }
        if (d.next < d.plan.size() && d.rng.nextDouble() < 0.8) {
            d.device.capture(d.plan.get(d.next), step);
            d.next++;
        }
        if (d.offlineLeft == 0) {
            try {
                d.device.sync(step, true);
            } catch (SimDevice.Crash c) {
                crash(d);
            }
        }
    }

    private void crash(Driver d) {
        ledger.crashes.incrementAndGet();
        if (d.rng.nextDouble() < 0.25) {
            d.device.corruptCursor(); // sometimes the app comes back with a cursor the server refuses (410)
        }
        d.device.restart();
    }

    // --- after the run ---

    private Observations observe(List<Driver> drivers) throws InterruptedException {
        Map<String, String> verdicts = new HashMap<>();
        Map<String, StopStateView> states = new LinkedHashMap<>();
        for (Driver d : drivers) {
            Outbox.Identity id = d.device.identity();
            PodsyncClient c = new PodsyncClient(o.server()).useDevice(id.deviceId(), id.deviceSecret());
            String cursor = null;
            do {
                String at = cursor;
                PullResponse p = retrying(() -> c.pull(at, 1000));
                for (Change ch : p.changes()) {
                    if (ch.data() == null) {
                        continue;
                    }
                    if (Change.VERDICT.equals(ch.kind())) {
                        verdicts.put(ch.id(), ch.data().path("verdict").asText());
                    } else if (Change.STOP_STATE.equals(ch.kind()) && ch.id().startsWith(tag)) {
                        states.put(ch.id(), ProtocolJson.mapper().convertValue(ch.data(), StopStateView.class));
                    }
                }
                cursor = p.hasMore() ? p.cursor() : null;
            } while (cursor != null);
        }
        List<ExceptionView> open = null;
        if (o.opsSecret() != null) {
            PodsyncClient ops = new PodsyncClient(o.server()).useClient(o.opsClient(), o.opsSecret());
            open = retrying(() -> ops.exceptions("open", 1000)).items().stream()
                    .filter(x -> x.routeId() != null && x.routeId().startsWith(tag)
                            || x.stopId() != null && x.stopId().startsWith(tag))
                    .toList();
        }
        List<Delivery> deliveries = receiver == null ? null : awaitDeliveries(states, open);
        Map<String, byte[]> artifacts = new HashMap<>();
        for (String sha : ledger.artifacts().keySet()) {
            try {
                artifacts.put(sha, retrying(() -> erp.download(sha)));
            } catch (PodsyncClientException e) {
                // left out: the evidence check reports it
            }
        }
        return new Observations(verdicts, states, deliveries, artifacts, open);
    }

    /** Forwarding is asynchronous: wait until every settled stop has been confirmed, then a little longer. */
    private List<Delivery> awaitDeliveries(Map<String, StopStateView> states, List<ExceptionView> open)
            throws InterruptedException {
        Set<String> held = new java.util.HashSet<>();
        if (open != null) {
            open.forEach(x -> held.add(x.stopId())); // held until ops resolve the exception
        }
        long settled = states.values().stream()
                .filter(s -> "delivered".equals(s.status()) || "partially_delivered".equals(s.status()))
                .filter(s -> !held.contains(s.stopId()))
                .count();
        long deadline = System.nanoTime() + ERP_WAIT.toNanos();
        while (ours().size() < settled && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(300); // would a second confirmation for some stop still come?
        return ours();
    }

    private List<Delivery> ours() {
        return receiver.deliveries().stream()
                .filter(d ->
                        d.data() != null && d.data().path("stopId").asText("").startsWith(tag))
                .toList();
    }

    private FleetReport report(List<Check> checks, Observations obs, int rounds, double seconds) {
        List<Ledger.Entry> applied =
                ledger.entries().stream().filter(e -> e.appliedStep >= 0).toList();
        double[] steps = applied.stream()
                .mapToDouble(e -> e.appliedStep - e.capturedStep)
                .sorted()
                .toArray();
        double[] millis = applied.stream()
                .mapToDouble(e -> (e.appliedNanos - e.capturedNanos) / 1e6)
                .sorted()
                .toArray();
        return new FleetReport(
                tag,
                o.seed(),
                o.devices(),
                o.stops(),
                o.steps(),
                ledger.entries().size(),
                ledger.pushes.get(),
                ledger.eventsPushed.get(),
                ledger.duplicatesSent.get(),
                ledger.crashes.get(),
                ledger.offlinePeriods.get(),
                ledger.uploads.get(),
                ledger.uploadsCut.get(),
                ledger.uploadsResumed.get(),
                ledger.resyncs.get(),
                ledger.networkFailures.get(),
                obs.deliveries() == null ? -1 : obs.deliveries().size(),
                rounds,
                percentile(steps, 50),
                percentile(steps, 95),
                steps.length == 0 ? 0 : steps[steps.length - 1],
                percentile(millis, 50),
                percentile(millis, 95),
                percentile(millis, 99),
                seconds,
                ledger.eventsPushed.get() / seconds,
                checks,
                checks.stream().allMatch(Check::passed));
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    public String tag() {
        return tag;
    }
}
