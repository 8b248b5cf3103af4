package io.podsync.server.ops;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.podsync.protocol.Verdict;
import io.podsync.server.auth.AuthFilter;
import io.podsync.server.auth.Scope;
import io.podsync.server.erp.OutboxDispatcher;
import io.podsync.server.http.HttpHygiene;
import io.podsync.server.sync.SyncListener;
import io.podsync.storage.Database;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Business metrics in Micrometer, scraped in Prometheus format from {@code /metrics} (ops scope: a scraper
 * authenticates as an ops client). Names speak of deliveries, not of tables.
 */
public final class Metrics implements HttpService, SyncListener, OutboxDispatcher.Listener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter routesReleased;
    private final Timer pushTimer;
    private final Timer pullTimer;
    /**
     * Per verdict and event type, looked up once: the registry's own lookup builds and sorts the tags on every call,
     * which on the push path (once per event) was a thirtieth of the request threads' time.
     */
    private final Map<Verdict, Map<String, Counter>> eventCounters = new EnumMap<>(Verdict.class);

    public Metrics(Database db) {
        for (Verdict v : Verdict.values()) {
            eventCounters.put(v, new ConcurrentHashMap<>());
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        routesReleased = Counter.builder("podsync.routes.released")
                .description("Route versions released by ERP/dispatch (unchanged re-releases not counted)")
                .register(registry);
        pushTimer = Timer.builder("podsync.sync.push")
                .description("Time to process a device push")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        pullTimer = Timer.builder("podsync.sync.pull")
                .description("Time to answer a device pull")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        // Series that dashboards and alerts read exist from the start, at zero, so that a rate over them is 0 rather
        // than "no data" until the first event (attempts.failed is per HTTP status, which is not known in advance).
        for (io.podsync.protocol.ExceptionKind kind : io.podsync.protocol.ExceptionKind.values()) {
            registry.counter("podsync.exceptions.opened", "kind", kind.wire());
        }
        for (io.podsync.protocol.ErpEventType type : io.podsync.protocol.ErpEventType.values()) {
            registry.counter("podsync.erp.confirmations.delivered", "type", type.wire());
            registry.counter("podsync.erp.confirmations.dead", "type", type.wire());
        }
        registry.counter("podsync.events.evidence.released");
        registry.timer("podsync.erp.confirmation.latency");
        Gauge.builder(
                        "podsync.exceptions.open",
                        db,
                        d -> d.read(tx -> tx.exceptions().countOpen()))
                .description("Business exceptions waiting for a person")
                .register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void routeReleased() {
        routesReleased.increment();
    }

    public Timer pushTimer() {
        return pushTimer;
    }

    public Timer pullTimer() {
        return pullTimer;
    }

    @Override
    public void verdict(Verdict verdict, String type) {
        eventCounters
                .get(verdict)
                .computeIfAbsent(type, t -> registry.counter("podsync.events", "verdict", verdict.wire(), "type", t))
                .increment();
    }

    @Override
    public void exceptionOpened(String kind) {
        registry.counter("podsync.exceptions.opened", "kind", kind).increment();
    }

    @Override
    public void delivered(String type, long millisSinceCreated) {
        registry.counter("podsync.erp.confirmations.delivered", "type", type).increment();
        registry.timer("podsync.erp.confirmation.latency").record(java.time.Duration.ofMillis(millisSinceCreated));
    }

    @Override
    public void failedAttempt(int status) {
        registry.counter("podsync.erp.attempts.failed", "status", String.valueOf(status))
                .increment();
    }

    @Override
    public void dead(String type) {
        registry.counter("podsync.erp.confirmations.dead", "type", type).increment();
    }

    @Override
    public void eventsReleased(int count) {
        registry.counter("podsync.events.evidence.released").increment(count);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        HttpHygiene.send(res, registry.scrape());
    }
}
