package io.podsync.server.ops;

import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.StopView;
import io.podsync.protocol.TimeWindow;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.erp.Milestones;
import io.podsync.server.exceptions.ExceptionQueue;
import io.podsync.server.exceptions.FindingKeys;
import io.podsync.server.exceptions.Resolution;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.FindingRow;
import io.podsync.storage.SlaRepository;
import io.podsync.storage.StopRow;
import io.podsync.storage.Tx;
import io.podsync.storage.jdbc.Database;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Turns SLA breaches into work for people: an exception (and a milestone) for a stop whose time window ended with no
 * arrival ({@code stop_late}), a route no device of its driver pulled by a set time before its service date ({@code
 * route_not_dispatched}), and a device with a route in progress that stopped syncing ({@code device_silent}). Each
 * breach is a finding, opened once; when its condition clears (an arrival, a pull, a sync, a cancellation) the finding
 * clears, and the exception resolves itself. Every replica may run it: opening and clearing are idempotent. Time comes
 * from the injected clock, so tests move it.
 */
public final class SlaMonitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SlaMonitor.class.getName());
    private static final int CHUNK = 500;
    /** Breaches older than this when first seen (after a long outage, or right after an upgrade) are not opened. */
    private static final Duration LOOKBACK = Duration.ofDays(1);

    /**
     * The timers, from {@link io.podsync.server.ServerConfig}.
     *
     * @param stopLateAfter grace after a stop's window ends before it is late
     * @param routeDispatchLead how long before the start of its service date a route must be on a device of its driver
     * @param deviceSilentAfter how long a device with a route in progress may go without syncing
     * @param zone the time zone of service dates
     * @param checkInterval how often the timers are checked
     */
    public record Settings(
            Duration stopLateAfter,
            Duration routeDispatchLead,
            Duration deviceSilentAfter,
            ZoneId zone,
            Duration checkInterval) {}

    private final Database db;
    private final Clock clock;
    private final ExceptionQueue exceptions;
    private final Milestones milestones;
    private final Settings settings;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podsync-sla").factory());

    public SlaMonitor(Database db, Clock clock, ExceptionQueue exceptions, Milestones milestones, Settings settings) {
        this.db = db;
        this.clock = clock;
        this.exceptions = exceptions;
        this.milestones = milestones;
        this.settings = settings;
    }

    public SlaMonitor start() {
        long every = settings.checkInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::safeRun, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    private void safeRun() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "SLA check failed; will retry: " + e.getMessage());
        }
    }

    /** One check of every timer: opens new breaches, then clears the open ones whose condition ended. */
    public void runOnce() {
        long now = clock.millis();
        LocalDate today = LocalDate.ofInstant(Instant.ofEpochMilli(now), settings.zone());
        String from = today.minusDays(1).toString();
        openLateStops(now);
        openUndispatchedRoutes(now, from);
        openSilentDevices(now, from, today.plusDays(1).toString());

        String to = today.plusDays(1).toString();
        clearWhere(ExceptionKind.STOP_LATE, now, (tx, x, f) -> !tx.sla().stillLate(x.stopId()));
        clearWhere(
                ExceptionKind.ROUTE_NOT_DISPATCHED, now, (tx, x, f) -> !tx.sla().stillUndispatched(x.routeId()));
        clearWhere(
                ExceptionKind.DEVICE_SILENT,
                now,
                (tx, x, f) -> !tx.sla().stillSilent(f.deviceId(), FindingKeys.silentSince(f.findingKey()), from, to));
    }

    private void openLateStops(long now) {
        long to = now - settings.stopLateAfter().toMillis();
        int n;
        do {
            n = db.write(tx -> {
                List<SlaRepository.LateStop> late =
                        tx.sla().lateStops(to - LOOKBACK.toMillis(), to, FindingKeys.LATE, CHUNK);
                if (late.isEmpty()) {
                    return 0;
                }
                Map<String, StopRow> stops = tx.routes()
                        .findStops(late.stream()
                                .map(SlaRepository.LateStop::stopId)
                                .toList());
                List<ExceptionQueue.Finding> found = new ArrayList<>();
                for (SlaRepository.LateStop l : late) {
                    StopRow stop = stops.get(l.stopId());
                    found.add(ExceptionQueue.Finding.stopLate(stop, l.windowEnd(), now));
                    TimeWindow window =
                            ProtocolJson.read(stop.viewJson(), StopView.class).timeWindow();
                    milestones.stopLate(tx, stop, window, now);
                }
                exceptions.open(tx, found);
                return late.size();
            });
        } while (n == CHUNK);
    }

    private void openUndispatchedRoutes(long now, String from) {
        String to = LocalDate.ofInstant(Instant.ofEpochMilli(now).plus(settings.routeDispatchLead()), settings.zone())
                .toString();
        int n;
        do {
            n = db.write(tx -> {
                List<SlaRepository.UndispatchedRoute> routes =
                        tx.sla().undispatchedRoutes(from, to, FindingKeys.UNDISPATCHED, CHUNK);
                List<ExceptionQueue.Finding> found = new ArrayList<>();
                for (SlaRepository.UndispatchedRoute r : routes) {
                    found.add(
                            ExceptionQueue.Finding.routeNotDispatched(r.routeId(), r.driverId(), r.serviceDate(), now));
                }
                exceptions.open(tx, found);
                return routes.size();
            });
        } while (n == CHUNK);
    }

    private void openSilentDevices(long now, String from, String to) {
        long before = now - settings.deviceSilentAfter().toMillis();
        int n;
        do {
            n = db.write(tx -> {
                List<SlaRepository.SilentDevice> devices =
                        tx.sla().silentDevices(before, from, to, FindingKeys.SILENT, CHUNK);
                List<ExceptionQueue.Finding> found = new ArrayList<>();
                for (SlaRepository.SilentDevice d : devices) {
                    found.add(ExceptionQueue.Finding.deviceSilent(
                            d.deviceId(), d.lastSeenAt(), d.routeId(), d.driverId(), now));
                }
                exceptions.open(tx, found);
                return devices.size();
            });
        } while (n == CHUNK);
    }

    /** A check of an open breach's finding inside a transaction: whether its condition ended. */
    @FunctionalInterface
    private interface Cleared {
        boolean test(Tx tx, ExceptionRow exception, FindingRow finding);
    }

    /** Clears the findings of open exceptions of this kind whose condition ended; the last one resolves it. */
    private void clearWhere(ExceptionKind kind, long now, Cleared cleared) {
        long after = 0;
        List<ExceptionRow> open;
        do {
            long from = after;
            // a page per transaction, by id: every open exception is looked at, however many there are
            open = db.write(tx -> {
                List<ExceptionRow> page = tx.exceptions().openOfKind(kind.wire(), from, CHUNK);
                Map<Long, List<FindingRow>> findings = tx.exceptions()
                        .findingsOf(page.stream().map(ExceptionRow::exceptionId).toList());
                for (ExceptionRow x : page) {
                    for (FindingRow f : findings.getOrDefault(x.exceptionId(), List.of())) {
                        if (f.clearedAt() == null && cleared.test(tx, x, f)) {
                            exceptions.clear(tx, f.findingKey(), Resolution.CLEARED, now);
                        }
                    }
                }
                return page;
            });
            after = open.isEmpty() ? after : open.get(open.size() - 1).exceptionId();
        } while (open.size() == CHUNK);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
