package io.podsync.server.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.podsync.protocol.ExceptionKind;
import io.podsync.server.erp.OutboxStatus;
import io.podsync.storage.OpsRepository;
import io.podsync.storage.jdbc.Database;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gauges over the database, read when {@code /metrics} is scraped and at most every {@value #MAX_AGE_MS} ms: every
 * replica reads the same rows, so every replica reports the same figures, and a restart changes nothing. Every kind
 * of exception and every configured endpoint has its series, at zero when there is nothing, so that an alert sees 0
 * rather than no data. Without the database the series disappear (an alert on {@code absent()} fires) and the rest of
 * the scrape still answers.
 */
final class DatabaseGauges {
    private static final System.Logger LOG = System.getLogger(DatabaseGauges.class.getName());
    static final long MAX_AGE_MS = 5_000;

    private final Database db;
    private final Clock clock;
    private final List<String> endpoints;
    private final Duration silentAfter;
    private final MultiGauge openExceptions;
    private final MultiGauge outboxBacklog;
    private final MultiGauge outboxOldest;
    private final MultiGauge outboxDead;
    private final MultiGauge devicesSilent;
    private final MultiGauge traceMissing;
    private volatile long readAt = Long.MIN_VALUE / 2;

    /** What one reading found. */
    private record Reading(
            Map<String, Long> exceptions,
            List<OpsRepository.OutboxBacklog> outbox,
            long silent,
            OpsRepository.MissingLinks missing) {}

    DatabaseGauges(MeterRegistry registry, Database db, Clock clock, List<String> endpoints, Duration silentAfter) {
        this.db = db;
        this.clock = clock;
        this.endpoints = List.copyOf(endpoints);
        this.silentAfter = silentAfter;
        openExceptions = MultiGauge.builder("podsync.exceptions.open")
                .description("Business exceptions waiting for a person, by kind")
                .register(registry);
        outboxBacklog = MultiGauge.builder("podsync.outbox.backlog")
                .description("ERP messages not delivered yet, by endpoint and status (pending, held)")
                .register(registry);
        outboxOldest = MultiGauge.builder("podsync.outbox.oldest.age")
                .description("Age of the oldest ERP message not delivered yet (pending or held), by endpoint")
                .baseUnit("seconds")
                .register(registry);
        outboxDead = MultiGauge.builder("podsync.outbox.dead")
                .description("Dead letters: ERP messages that ran out of attempts and wait for a replay, by endpoint")
                .register(registry);
        devicesSilent = MultiGauge.builder("podsync.devices.silent")
                .description("Active devices that have not synced for podsync.sla.device-silent-after")
                .register(registry);
        traceMissing = MultiGauge.builder("podsync.trace.missing")
                .description("Trace completeness: links missing from the traces of orders in flight, by link"
                        + " (artifact_missing, not_dispatched, not_acknowledged, exception_open)")
                .register(registry);
    }

    /** Reads again when the last reading is older than {@value #MAX_AGE_MS} ms. */
    void refresh() {
        long now = clock.millis();
        if (now - readAt < MAX_AGE_MS) {
            return;
        }
        Reading r;
        try {
            r = db.read(tx -> new Reading(
                    tx.ops().openExceptionsByKind(),
                    tx.ops().outboxBacklog(),
                    tx.ops().devicesSilentSince(now - silentAfter.toMillis()),
                    tx.ops().missingLinks()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "metrics: the database gauges could not be read: " + e.getMessage());
            for (MultiGauge g :
                    List.of(openExceptions, outboxBacklog, outboxOldest, outboxDead, devicesSilent, traceMissing)) {
                g.register(List.of(), true);
            }
            readAt = Long.MIN_VALUE / 2;
            return;
        }
        Map<String, Long> open = new TreeMap<>();
        for (ExceptionKind kind : ExceptionKind.values()) {
            open.put(kind.wire(), 0L);
        }
        open.putAll(r.exceptions());
        openExceptions.register(rows(open, "kind"), true);

        Map<String, Long> pending = zeros();
        Map<String, Long> held = zeros();
        Map<String, Long> dead = zeros();
        Map<String, Long> oldest = new TreeMap<>();
        for (OpsRepository.OutboxBacklog b : r.outbox()) {
            boolean isDead = b.status().equals(OutboxStatus.DEAD.wire());
            if (isDead) {
                dead.merge(b.endpoint(), b.count(), Long::sum);
            } else if (b.status().equals(OutboxStatus.HELD.wire())) {
                held.merge(b.endpoint(), b.count(), Long::sum);
            } else {
                pending.merge(b.endpoint(), b.count(), Long::sum);
            }
            if (!isDead) {
                oldest.merge(b.endpoint(), b.oldestCreatedAt(), Math::min);
            }
        }
        List<MultiGauge.Row<?>> backlog = new ArrayList<>();
        pending.forEach((e, n) ->
                backlog.add(MultiGauge.Row.of(Tags.of("endpoint", e, "status", OutboxStatus.PENDING.wire()), n)));
        held.forEach((e, n) ->
                backlog.add(MultiGauge.Row.of(Tags.of("endpoint", e, "status", OutboxStatus.HELD.wire()), n)));
        outboxBacklog.register(backlog, true);
        outboxDead.register(rows(dead, "endpoint"), true);
        List<MultiGauge.Row<?>> ages = new ArrayList<>();
        java.util.Set<String> undelivered = new java.util.TreeSet<>(pending.keySet());
        undelivered.addAll(held.keySet());
        for (String e : undelivered) {
            Long created = oldest.get(e);
            ages.add(MultiGauge.Row.of(
                    Tags.of("endpoint", e), created == null ? 0 : Math.max(0, now - created) / 1000.0));
        }
        outboxOldest.register(ages, true);
        devicesSilent.register(List.of(MultiGauge.Row.of(Tags.empty(), r.silent())), true);
        // the links the trace API names as missing, counted over the database (not_acknowledged: every message not
        // delivered, dead ones too; exception_open: every open exception)
        long undeliveredMessages = r.outbox().stream()
                .mapToLong(OpsRepository.OutboxBacklog::count)
                .sum();
        long openTotal = open.values().stream().mapToLong(Long::longValue).sum();
        traceMissing.register(
                List.of(
                        MultiGauge.Row.of(
                                Tags.of("link", "artifact_missing"), r.missing().artifactMissing()),
                        MultiGauge.Row.of(
                                Tags.of("link", "not_dispatched"), r.missing().notDispatched()),
                        MultiGauge.Row.of(Tags.of("link", "not_acknowledged"), undeliveredMessages),
                        MultiGauge.Row.of(Tags.of("link", "exception_open"), openTotal)),
                true);
        readAt = now;
    }

    /** Every configured endpoint at zero (an endpoint no longer configured still shows while it has messages). */
    private Map<String, Long> zeros() {
        Map<String, Long> m = new TreeMap<>();
        endpoints.forEach(e -> m.put(e, 0L));
        return m;
    }

    private static List<MultiGauge.Row<?>> rows(Map<String, Long> values, String tag) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        values.forEach((k, n) -> rows.add(MultiGauge.Row.of(Tags.of(tag, k), n)));
        return rows;
    }
}
