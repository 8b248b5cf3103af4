package io.podsync.server.ops;

import io.podsync.protocol.ExceptionKind;
import io.podsync.protocol.StopView;
import io.podsync.protocol.TimeWindow;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.erp.Milestones;
import io.podsync.server.sync.Exceptions;
import io.podsync.storage.Database;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.FindingRow;
import io.podsync.storage.SlaRepository;
import io.podsync.storage.StopRow;
import io.podsync.storage.Tx;
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
    /** How an SLA exception resolves itself when its condition ended. */
    public static final String CLEARED = "cleared";

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
    private final Exceptions exceptions;
    private final Milestones milestones;
    private final Settings settings;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podsync-sla").factory());

    public SlaMonitor(Database db, Clock clock, Exceptions exceptions, Milestones milestones, Settings settings) {
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
                (tx, x, f) -> !tx.sla().stillSilent(f.deviceId(), lastSeen(f), from, to));
    }

    private void openLateStops(long now) {
        long to = now - settings.stopLateAfter().toMillis();
        int n;
        do {
            n = db.write(tx -> {
                List<SlaRepository.LateStop> late = tx.sla().lateStops(to - LOOKBACK.toMillis(), to, "late:", CHUNK);
                if (late.isEmpty()) {
                    return 0;
                }
                Map<String, StopRow> stops = tx.routes()
                        .findStops(late.stream()
                                .map(SlaRepository.LateStop::stopId)
                                .toList());
                List<Exceptions.Finding> found = new ArrayList<>();
                for (SlaRepository.LateStop l : late) {
                    StopRow stop = stops.get(l.stopId());
                    found.add(Exceptions.Finding.about(
                            "late:" + l.stopId() + ":" + l.windowEnd(),
                            ExceptionKind.STOP_LATE,
                            List.of(ExceptionKind.STOP_LATE.wire()),
                            stop,
                            stop.driverId(),
                            null,
                            null,
                            stop.version(),
                            now));
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
                        tx.sla().undispatchedRoutes(from, to, "undispatched:", CHUNK);
                List<Exceptions.Finding> found = new ArrayList<>();
                for (SlaRepository.UndispatchedRoute r : routes) {
                    found.add(new Exceptions.Finding(
                            "undispatched:" + r.routeId() + ":" + r.driverId(),
                            ExceptionKind.ROUTE_NOT_DISPATCHED,
                            "route:" + r.routeId(),
                            List.of(ExceptionKind.ROUTE_NOT_DISPATCHED.wire(), "service_date:" + r.serviceDate()),
                            r.routeId(),
                            null,
                            r.driverId(),
                            null,
                            null,
                            null,
                            now));
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
                List<SlaRepository.SilentDevice> devices = tx.sla().silentDevices(before, from, to, "silent:", CHUNK);
                List<Exceptions.Finding> found = new ArrayList<>();
                for (SlaRepository.SilentDevice d : devices) {
                    found.add(new Exceptions.Finding(
                            "silent:" + d.deviceId() + ":" + d.lastSeenAt(),
                            ExceptionKind.DEVICE_SILENT,
                            "device:" + d.deviceId(),
                            List.of(
                                    ExceptionKind.DEVICE_SILENT.wire(),
                                    "last_seen:" + Instant.ofEpochMilli(d.lastSeenAt())),
                            d.routeId(),
                            null,
                            d.driverId(),
                            d.deviceId(),
                            null,
                            null,
                            now));
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
        db.write(tx -> {
            List<ExceptionRow> open = tx.exceptions().openOfKind(kind.wire(), CHUNK);
            Map<Long, List<FindingRow>> findings = tx.exceptions()
                    .findingsOf(open.stream().map(ExceptionRow::exceptionId).toList());
            for (ExceptionRow x : open) {
                for (FindingRow f : findings.getOrDefault(x.exceptionId(), List.of())) {
                    if (f.clearedAt() == null && cleared.test(tx, x, f)) {
                        exceptions.clear(tx, f.findingKey(), CLEARED, now);
                    }
                }
            }
            return null;
        });
    }

    /** The last sync a silence finding is about: its key is {@code silent:<deviceId>:<lastSeenAt>}. */
    private static long lastSeen(FindingRow f) {
        return Long.parseLong(f.findingKey().substring(f.findingKey().lastIndexOf(':') + 1));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
