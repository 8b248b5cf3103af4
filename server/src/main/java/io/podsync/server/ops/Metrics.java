package io.podsync.server.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.podsync.protocol.ErpEventType;
import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.Verdict;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Scope;
import io.podsync.server.erp.Confirmations;
import io.podsync.server.erp.OutboxDispatcher;
import io.podsync.server.http.HttpHygiene;
import io.podsync.server.http.Routes;
import io.podsync.server.sync.MilestoneListener;
import io.podsync.server.sync.StopStatus;
import io.podsync.server.sync.SyncListener;
import io.podsync.storage.DatabaseKind;
import io.podsync.storage.EventRow;
import io.podsync.storage.OutboxRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.Tx;
import io.podsync.storage.jdbc.Database;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metrics in Prometheus' conventions, scraped from {@code /metrics} (scope {@code ops} or {@code metrics}): base units
 * (seconds), counters ending in {@code _total}, and histograms with fixed buckets, which add up across replicas where
 * the quantiles of a summary do not. Three kinds:
 *
 * <ul>
 *   <li>the usual families: HTTP requests by route template and status, JVM memory, GC, threads, classes, CPU and
 *       file descriptors, the HikariCP pools, and the latency of database writes;
 *   <li>business counts and latencies, recorded when the moment happens and measured between times the server
 *       stores (a capture time, a release time, an outbox message's creation), so that a restart loses nothing but the
 *       counts not yet scraped;
 *   <li>gauges over the database (open exceptions, the outbox backlog and its dead letters), read at scrape time at
 *       most every few seconds ({@link DatabaseGauges}), so that every replica reports the same figures.
 * </ul>
 *
 * Names speak of deliveries, not of tables. docs/operations.md lists every metric with its PromQL.
 */
public final class Metrics
        implements HttpService,
                SyncListener,
                MilestoneListener,
                Confirmations.Confirmed,
                OutboxDispatcher.Listener,
                AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Metrics.class.getName());
    /** HTTP answers and database writes: 1 ms to 10 s. */
    private static final Duration[] FAST = durations(
            "PT0.001S",
            "PT0.0025S",
            "PT0.005S",
            "PT0.01S",
            "PT0.025S",
            "PT0.05S",
            "PT0.1S",
            "PT0.25S",
            "PT0.5S",
            "PT1S",
            "PT2.5S",
            "PT5S",
            "PT10S");
    /** Business latencies: a second to two days. */
    private static final Duration[] SLOW = durations(
            "PT1S", "PT5S", "PT15S", "PT30S", "PT1M", "PT5M", "PT15M", "PT30M", "PT1H", "PT2H", "PT4H", "PT8H", "PT12H",
            "PT24H", "PT48H");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Database db;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter routesReleased;
    private final Timer syncLag;
    private final Timer orderToDispatch;
    private final Timer dispatchToConfirmation;
    /**
     * Per verdict and event type, looked up once: the registry's own lookup builds and sorts the tags on every call,
     * which on the push path (once per event) was a thirtieth of the request threads' time.
     */
    private final Map<Verdict, Map<String, Counter>> eventCounters = new EnumMap<>(Verdict.class);

    private final Map<String, Timer> httpTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> dbTimers = new ConcurrentHashMap<>();
    private final DatabaseGauges gauges;

    /**
     * @param endpoints the configured ERP endpoints (their outbox gauges exist at zero)
     * @param silentAfter {@code podsync.sla.device-silent-after}: when a device counts as silent
     */
    public Metrics(Database db, Clock clock, List<String> endpoints, Duration silentAfter) {
        this.db = db;
        for (Verdict v : Verdict.values()) {
            eventCounters.put(v, new ConcurrentHashMap<>());
        }
        // Micrometer's process.cpu.time counts nanoseconds, which Prometheus' conventions (and promtool) refuse as a
        // unit; process_cpu_usage says the same in a ratio.
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        // A gauge ending in _count reads as a histogram's part to Prometheus' tools.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        db.poolMetrics(new MicrometerMetricsTrackerFactory(registry));
        routesReleased = Counter.builder("podsync.routes.released")
                .description("Route versions released by ERP/dispatch (unchanged re-releases not counted)")
                .register(registry);
        syncLag = slow("podsync.sync.lag", "From capture (corrected device time) to the server's receipt, per event")
                .register(registry);
        orderToDispatch = slow(
                        "podsync.order.to.dispatch",
                        "From a route version's release to its first pull by a device of its driver")
                .register(registry);
        dispatchToConfirmation = slow(
                        "podsync.dispatch.to.confirmation",
                        "From a route's first pull by its driver's device to a stop's outcome confirmed to the ERP")
                .register(registry);
        gauges = new DatabaseGauges(registry, db, clock, endpoints, silentAfter);
        // Every verdict of every event type exists from the start at zero, so that a rate of rejected or conflicting
        // events is 0 on a good day rather than no data (a dashboard panel or an alert on it sees the difference).
        for (Verdict v : Verdict.values()) {
            for (io.podsync.protocol.EventType t : io.podsync.protocol.EventType.values()) {
                eventCounter(v, t.wire());
            }
        }
        // Series that dashboards and alerts read exist from the start, at zero, so that a rate over them is 0 rather
        // than "no data" until the first event (attempts.failed is per HTTP status, which is not known in advance).
        for (ExceptionKind kind : ExceptionKind.values()) {
            exceptionsOpened(kind.wire());
            resolution(kind.wire());
        }
        for (StopStatus outcome : StopStatus.values()) {
            if (outcome.isOutcome()) {
                podPosting(outcome.wire());
            }
        }
        for (ErpEventType type : ErpEventType.values()) {
            deliveredCounter(type.wire());
            deadCounter(type.wire());
        }
        evidenceReleased();
        confirmationLatency();
        traces(true);
        traces(false);
        for (String link : List.of("dispatch", "evidence")) {
            linkMissing(link);
        }
    }

    private static Duration[] durations(String... iso) {
        Duration[] d = new Duration[iso.length];
        for (int i = 0; i < iso.length; i++) {
            d[i] = Duration.parse(iso[i]);
        }
        return d;
    }

    private static Timer.Builder fast(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(FAST);
    }

    private static Timer.Builder slow(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(SLOW);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void routeReleased() {
        routesReleased.increment();
    }

    @Override
    public void verdict(Verdict verdict, String type) {
        eventCounter(verdict, type).increment();
    }

    private Counter eventCounter(Verdict verdict, String type) {
        return eventCounters
                .get(verdict)
                .computeIfAbsent(
                        type,
                        t -> counter(
                                "podsync.events",
                                "Pushed events by verdict and type",
                                "verdict",
                                verdict.wire(),
                                "type",
                                t));
    }

    @Override
    public void received(long lagMillis) {
        syncLag.record(Duration.ofMillis(Math.max(0, lagMillis)));
    }

    @Override
    public void exceptionOpened(String kind) {
        exceptionsOpened(kind).increment();
    }

    private Counter exceptionsOpened(String kind) {
        return counter("podsync.exceptions.opened", "Business exceptions opened, by kind", "kind", kind);
    }

    private Counter deliveredCounter(String type) {
        return counter(
                "podsync.erp.confirmations.delivered", "ERP messages the ERP acknowledged, by type", "type", type);
    }

    /**
     * Order to dispatch: a route version released, then first pulled by a device of its driver. Measured in the pull's
     * transaction and recorded once it committed (these listeners run inside it: a transaction tried again, or undone,
     * must not count).
     */
    @Override
    public void routeDispatched(Tx tx, String routeId, long version, String driverId, String deviceId, long now) {
        quietly(() -> tx.ops()
                .versionReleasedAt(routeId, version)
                .ifPresent(released ->
                        tx.afterCommit(() -> orderToDispatch.record(Duration.ofMillis(Math.max(0, now - released))))));
    }

    /** A metric is never worth a failed pull or push: what cannot be measured is logged and left out. */
    private static void quietly(Runnable measure) {
        try {
            measure.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "metrics: a business measurement failed: " + e);
        }
    }

    /**
     * Dispatch to confirmation: the route's first pull by a device of its driver, then the stop's outcome confirmed to
     * the ERP; and whether the trace of that outcome has every link (dispatch, evidence).
     */
    @Override
    public void confirmed(Tx tx, StopRow stop, EventRow outcome, boolean correction, long now) {
        if (!correction) { // the first confirmation measured it
            quietly(() -> measureConfirmed(tx, stop, outcome, now));
        }
    }

    private void measureConfirmed(Tx tx, StopRow stop, EventRow outcome, long now) {
        java.util.Optional<Long> dispatched = tx.ops().firstDispatch(stop.routeId(), outcome.driverId());
        List<String> missing = new ArrayList<>();
        if (dispatched.isEmpty()) {
            missing.add("dispatch");
        }
        if (!tx.ops().evidenceStored(outcome.deviceId(), outcome.idempotencyKey())) {
            missing.add("evidence");
        }
        tx.afterCommit(() -> {
            dispatched.ifPresent(at -> dispatchToConfirmation.record(Duration.ofMillis(Math.max(0, now - at))));
            traces(missing.isEmpty()).increment();
            missing.forEach(link -> linkMissing(link).increment());
        });
    }

    private Counter traces(boolean complete) {
        return counter(
                "podsync.traces",
                "Confirmed outcomes, by whether their trace has every link (dispatch, evidence)",
                "complete",
                String.valueOf(complete));
    }

    private Counter linkMissing(String link) {
        return counter(
                "podsync.trace.links.missing",
                "Confirmed outcomes whose trace lacks this link (dispatch, evidence)",
                "link",
                link);
    }

    /** A person resolved an exception of this kind, opened that long ago. */
    public void exceptionResolved(String kind, long millisOpen) {
        resolution(kind).record(Duration.ofMillis(Math.max(0, millisOpen)));
    }

    private Timer resolution(String kind) {
        return slow(
                        "podsync.exception.resolution",
                        "From an exception's opening to its resolution by a person, by kind")
                .tag("kind", kind)
                .register(registry);
    }

    private Timer podPosting(String outcome) {
        return slow(
                        "podsync.pod.posting",
                        "From the capture of an outcome (server's clock) to the ERP's acknowledgement, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public void delivered(OutboxRow message, long at) {
        deliveredCounter(message.type()).increment();
        confirmationLatency().record(Duration.ofMillis(Math.max(0, at - message.createdAt())));
        // POD posting time: from the capture of the outcome to the ERP's acknowledgement, by outcome
        JsonNode data = ProtocolJson.read(message.payloadJson(), JsonNode.class).path("data");
        java.time.Instant captured = Latencies.capturedAt(data);
        if (captured != null) {
            podPosting(data.get("outcome").asText())
                    .record(Duration.ofMillis(Math.max(0, at - captured.toEpochMilli())));
        }
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private Counter evidenceReleased() {
        return counter("podsync.events.evidence.released", "Events awaiting evidence that an upload released");
    }

    private Timer confirmationLatency() {
        return slow("podsync.erp.confirmation.latency", "From an ERP message's creation in the outbox to the ERP's 2xx")
                .register(registry);
    }

    @Override
    public void failedAttempt(int status) {
        counter(
                        "podsync.erp.attempts.failed",
                        "ERP delivery attempts that failed, by HTTP status (0: no answer)",
                        "status",
                        String.valueOf(status))
                .increment();
    }

    @Override
    public void dead(String type) {
        deadCounter(type).increment();
    }

    private Counter deadCounter(String type) {
        return counter(
                "podsync.erp.confirmations.dead", "ERP messages that ran out of attempts, by type", "type", type);
    }

    @Override
    public void eventsReleased(int count) {
        evidenceReleased().increment(count);
    }

    /** A database write transaction ended. */
    public void written(DatabaseKind kind, long nanos, boolean ok) {
        dbTimers.computeIfAbsent(
                        kind + (ok ? " committed" : " failed"),
                        k -> fast(
                                        "podsync.db.write",
                                        "Database write transactions, waiting for the SQLite writer included")
                                .tags(
                                        "db",
                                        kind.name().toLowerCase(Locale.ROOT),
                                        "outcome",
                                        ok ? "committed" : "failed")
                                .register(registry))
                .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Times every request by method, route template (a path no route serves is {@code unmatched}, so that scanners
     * cannot blow up the number of series) and status, once the answer is sent: refusals of the filters count too.
     */
    public Filter httpFilter() {
        return (FilterChain chain, RoutingRequest req, RoutingResponse res) -> {
            long start = System.nanoTime();
            res.whenSent(() -> httpTimer(
                            req.prologue().method().text(),
                            Routes.templateOf(req).orElse("unmatched"),
                            res.status().code())
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS));
            chain.proceed();
        };
    }

    private Timer httpTimer(String method, String route, int status) {
        return httpTimers.computeIfAbsent(
                method + " " + status + " " + route,
                k -> fast("http.server.requests", "HTTP requests by method, route template and status")
                        .tags("method", method, "route", route, "status", String.valueOf(status))
                        .register(registry));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS, Scope.METRICS);
        gauges.refresh();
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        HttpHygiene.send(res, registry.scrape());
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
