package io.podsync.server.exceptions;

import io.podsync.protocol.ExceptionKind;
import io.podsync.storage.EventRow;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.FindingRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The exception queue's rules, inside the caller's transaction: at most one open exception per subject (a stop, a
 * route or a device) and kind, with every finding behind it attached; a finding is attached once for good (its key);
 * an exception whose findings all cleared by themselves resolves itself. What an exception shows (its codes, its first
 * event) depends on the set of its findings only, never on the order they arrived in.
 *
 * <p>Not final only so that {@code io.podsync.server.sync.Exceptions}, its old name, can stand in for it until the push
 * pipeline is moved over to this package.
 */
public final class ExceptionQueue {
    /** Who resolves an exception whose condition cleared by itself. */
    public static final String SYSTEM = "system";

    /**
     * One finding for operations.
     *
     * @param key unique for good: the same finding is never attached twice
     * @param subject what the exception is about: {@code stop:<id>}, {@code route:<id>} or {@code device:<id>}
     * @param stopVersion for an event: the stop version it was captured against
     */
    public record Finding(
            String key,
            ExceptionKind kind,
            String subject,
            List<String> codes,
            String routeId,
            String stopId,
            String driverId,
            String deviceId,
            String idempotencyKey,
            Long stopVersion,
            long at) {
        /** A finding about a stop (and an event of it, when {@code idempotencyKey} is set). */
        public static Finding about(
                String key,
                ExceptionKind kind,
                List<String> codes,
                StopRow stop,
                String driverId,
                String deviceId,
                String idempotencyKey,
                Long stopVersion,
                long at) {
            return new Finding(
                    key,
                    kind,
                    FindingKeys.stop(stop.stopId()),
                    codes,
                    stop.routeId(),
                    stop.stopId(),
                    driverId,
                    deviceId,
                    idempotencyKey,
                    stopVersion,
                    at);
        }

        /** A contradiction among the counted events of one attempt at a stop (a {@code StopFold} anomaly). */
        public static Finding contradiction(StopRow stop, int attempt, String code, long at) {
            return about(
                    FindingKeys.contradiction(stop.stopId(), attempt, code),
                    ExceptionKind.CONTRADICTION,
                    List.of(code),
                    stop,
                    stop.driverId(),
                    null,
                    null,
                    null,
                    at);
        }

        /** An event still waiting for its evidence after the configured time; its codes name the hashes missing. */
        public static Finding evidenceMissing(EventRow e, List<String> missing, long at) {
            List<String> codes = new ArrayList<>(1 + missing.size());
            codes.add(ExceptionKind.EVIDENCE_MISSING.wire());
            codes.addAll(missing);
            return new Finding(
                    FindingKeys.evidence(e.deviceId(), e.idempotencyKey()),
                    ExceptionKind.EVIDENCE_MISSING,
                    FindingKeys.stop(e.stopId()),
                    codes,
                    e.routeId(),
                    e.stopId(),
                    e.driverId(),
                    e.deviceId(),
                    e.idempotencyKey(),
                    e.stopVersion(),
                    at);
        }

        /** A correction sent to the ERP: the stop's confirmed outcome changed from {@code before} to {@code now}. */
        public static Finding outcomeCorrected(
                StopRow stop, String messageId, String before, String now, EventRow outcome, long at) {
            return about(
                    FindingKeys.corrected(messageId),
                    ExceptionKind.OUTCOME_CORRECTED,
                    List.of(ExceptionKind.OUTCOME_CORRECTED.wire(), before + "->" + now),
                    stop,
                    stop.driverId(),
                    outcome.deviceId(),
                    outcome.idempotencyKey(),
                    outcome.stopVersion(),
                    at);
        }

        /** A stop whose time window, ending at {@code windowEnd}, passed with no arrival. */
        public static Finding stopLate(StopRow stop, long windowEnd, long at) {
            return about(
                    FindingKeys.late(stop.stopId(), windowEnd),
                    ExceptionKind.STOP_LATE,
                    List.of(ExceptionKind.STOP_LATE.wire()),
                    stop,
                    stop.driverId(),
                    null,
                    null,
                    stop.version(),
                    at);
        }

        /** A route no device of its driver pulled by the configured time before its service date. */
        public static Finding routeNotDispatched(String routeId, String driverId, String serviceDate, long at) {
            return new Finding(
                    FindingKeys.undispatched(routeId, driverId),
                    ExceptionKind.ROUTE_NOT_DISPATCHED,
                    FindingKeys.route(routeId),
                    List.of(ExceptionKind.ROUTE_NOT_DISPATCHED.wire(), "service_date:" + serviceDate),
                    routeId,
                    null,
                    driverId,
                    null,
                    null,
                    null,
                    at);
        }

        /** A device with a route in progress silent since its last sync at {@code lastSeenAt}. */
        public static Finding deviceSilent(String deviceId, long lastSeenAt, String routeId, String driverId, long at) {
            return new Finding(
                    FindingKeys.silent(deviceId, lastSeenAt),
                    ExceptionKind.DEVICE_SILENT,
                    FindingKeys.device(deviceId),
                    List.of(ExceptionKind.DEVICE_SILENT.wire(), "last_seen:" + Instant.ofEpochMilli(lastSeenAt)),
                    routeId,
                    null,
                    driverId,
                    deviceId,
                    null,
                    null,
                    at);
        }

        String dedupeKey() {
            return FindingKeys.dedupe(kind, subject);
        }
    }

    /** Told when an exception opens or resolves, in the same transaction (metrics, milestones). No-op by default. */
    public interface Listener {
        default void opened(Tx tx, ExceptionRow exception, long now) {}

        default void resolved(Tx tx, ExceptionRow exception, long now) {}
    }

    private final Consumer<String> openedCount;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** @param openedCount told the kind's wire name of every exception opened, after its transaction committed */
    public ExceptionQueue(Consumer<String> openedCount) {
        this.openedCount = openedCount;
    }

    /** Adds a listener; at start-up. */
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** Attaches the findings not attached before, opening an exception for a subject and kind that has none open. */
    public void open(Tx tx, List<Finding> findings) {
        if (findings.isEmpty()) {
            return;
        }
        Set<String> known = tx.exceptions()
                .knownFindings(findings.stream().map(Finding::key).toList());
        Map<String, List<Finding>> byException = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>(known);
        for (Finding f : findings) {
            if (seen.add(f.key())) {
                byException
                        .computeIfAbsent(f.dedupeKey(), k -> new ArrayList<>())
                        .add(f);
            }
        }
        for (List<Finding> group : byException.values()) {
            attach(tx, group);
        }
    }

    private void attach(Tx tx, List<Finding> group) {
        Finding first = group.get(0);
        ExceptionRow open = tx.exceptions().findOpen(first.dedupeKey()).orElse(null);
        boolean created = false;
        if (open == null) {
            ExceptionRow row = ExceptionRow.builder()
                    .exceptionId(tx.reserveIds("exception", 1))
                    .dedupeKey(first.dedupeKey())
                    .kind(first.kind().wire())
                    .status(ExceptionStatus.OPEN.wire())
                    .codes(String.join(",", first.codes()))
                    .routeId(first.routeId())
                    .stopId(first.stopId())
                    .driverId(first.driverId())
                    .deviceId(first.deviceId())
                    .idempotencyKey(first.idempotencyKey())
                    .createdAt(first.at())
                    .updatedAt(first.at())
                    .build();
            created = tx.exceptions().openIfAbsent(row);
            // A concurrent transaction (PostgreSQL) may have opened it first: then the findings join that one.
            open = created ? row : tx.exceptions().findOpen(first.dedupeKey()).orElseThrow();
        }
        List<FindingRow> rows = new ArrayList<>(group.size());
        for (Finding f : group) {
            rows.add(new FindingRow(
                    f.key(),
                    open.exceptionId(),
                    f.deviceId(),
                    f.idempotencyKey(),
                    String.join(",", f.codes()),
                    f.stopVersion(),
                    f.at(),
                    null));
        }
        tx.exceptions().addFindings(rows);
        if (!created || group.size() > 1) {
            summarize(tx, open.exceptionId(), first.at());
        }
        if (created) {
            String kind = first.kind().wire();
            tx.afterCommit(() -> openedCount.accept(kind)); // not for a transaction undone or tried again
            for (Listener l : listeners) {
                l.opened(tx, tx.exceptions().find(open.exceptionId()).orElseThrow(), first.at());
            }
        }
    }

    /**
     * Marks a finding's condition ended (its evidence arrived, a breach cleared). An exception left with no finding
     * that still holds resolves itself, by {@link #SYSTEM}, with {@code resolution}.
     */
    public void clear(Tx tx, String findingKey, Resolution resolution, long now) {
        if (!tx.exceptions().clearFinding(findingKey, now)) {
            return;
        }
        FindingRow f = tx.exceptions().finding(findingKey).orElseThrow();
        List<FindingRow> all =
                tx.exceptions().findingsOf(List.of(f.exceptionId())).getOrDefault(f.exceptionId(), List.of());
        if (all.stream().anyMatch(x -> x.clearedAt() == null)) {
            summarize(tx, f.exceptionId(), now);
        } else if (tx.exceptions().resolve(f.exceptionId(), SYSTEM, resolution.wire(), null, null, now)) {
            resolved(tx, tx.exceptions().find(f.exceptionId()).orElseThrow(), now);
        }
    }

    /** Tells the listeners that a person or the system resolved an exception. */
    public void resolved(Tx tx, ExceptionRow exception, long now) {
        for (Listener l : listeners) {
            l.resolved(tx, exception, now);
        }
    }

    /**
     * Takes back the findings of a stop's open exceptions of this kind that no longer hold (a contradiction the events
     * no longer show was never there); an exception left with none is deleted.
     */
    public void dropStale(Tx tx, String stopId, ExceptionKind kind, Set<String> keep, long now) {
        List<ExceptionRow> open = tx.exceptions().openForStop(stopId).stream()
                .filter(x -> x.kind().equals(kind.wire()))
                .toList();
        if (open.isEmpty()) {
            return;
        }
        Map<Long, List<FindingRow>> findings = tx.exceptions()
                .findingsOf(open.stream().map(ExceptionRow::exceptionId).toList());
        for (ExceptionRow x : open) {
            List<FindingRow> all = findings.getOrDefault(x.exceptionId(), List.of());
            List<String> stale = all.stream()
                    .map(FindingRow::findingKey)
                    .filter(k -> !keep.contains(k))
                    .toList();
            if (stale.isEmpty()) {
                continue;
            }
            if (stale.size() == all.size()) {
                tx.exceptions().delete(x.exceptionId());
                // Whoever heard it open hears it end.
                resolved(
                        tx,
                        x.toBuilder()
                                .status(ExceptionStatus.RESOLVED.wire())
                                .updatedAt(now)
                                .resolvedAt(now)
                                .resolvedBy(SYSTEM)
                                .resolution(Resolution.WITHDRAWN.wire())
                                .note(null)
                                .stopVersion(null)
                                .build(),
                        now);
            } else {
                tx.exceptions().deleteFindings(x.exceptionId(), stale);
                summarize(tx, x.exceptionId(), now);
            }
        }
    }

    /**
     * Sets an exception's codes to the union of its standing findings' codes, and its event to the first finding's, in
     * finding-key order: the same set of findings shows the same, whatever order they came in.
     */
    private static void summarize(Tx tx, long exceptionId, long now) {
        List<FindingRow> all = tx.exceptions().findingsOf(List.of(exceptionId)).getOrDefault(exceptionId, List.of());
        List<FindingRow> standing =
                all.stream().filter(f -> f.clearedAt() == null).toList();
        List<FindingRow> shown = standing.isEmpty() ? all : standing;
        if (shown.isEmpty()) {
            return;
        }
        tx.exceptions()
                .summarize(
                        exceptionId,
                        String.join(
                                ",", union(shown.stream().map(FindingRow::codes).toList())),
                        shown.get(0).deviceId(),
                        shown.get(0).idempotencyKey(),
                        now);
    }

    private static Collection<String> union(List<String> codeLists) {
        Set<String> out = new LinkedHashSet<>();
        for (String codes : codeLists) {
            if (!codes.isEmpty()) {
                out.addAll(List.of(codes.split(",")));
            }
        }
        return out;
    }
}
