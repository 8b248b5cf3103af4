package io.podsync.server.sync;

import io.podsync.protocol.ExceptionKind;
import io.podsync.storage.ExceptionRow;
import io.podsync.storage.FindingRow;
import io.podsync.storage.StopRow;
import io.podsync.storage.Tx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exception queue's rules, inside the caller's transaction: at most one open exception per subject (a stop, a
 * route or a device) and kind, with every finding behind it attached; a finding is attached once for good (its key);
 * an exception whose findings all cleared by themselves resolves itself. What an exception shows (its codes, its first
 * event) depends on the set of its findings only, never on the order they arrived in.
 */
public final class Exceptions {
    /** Who resolves an exception whose condition cleared by itself. */
    public static final String SYSTEM = "system";

    /** How a contradiction that the stop's events no longer show ends: it is taken back (deleted). */
    public static final String WITHDRAWN = "withdrawn";

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
                    stopSubject(stop.stopId()),
                    codes,
                    stop.routeId(),
                    stop.stopId(),
                    driverId,
                    deviceId,
                    idempotencyKey,
                    stopVersion,
                    at);
        }

        String dedupeKey() {
            return Exceptions.dedupeKey(kind, subject);
        }
    }

    /** Told when an exception opens or resolves, in the same transaction (metrics, milestones). No-op by default. */
    public interface Listener {
        default void opened(Tx tx, ExceptionRow exception, long now) {}

        default void resolved(Tx tx, ExceptionRow exception, long now) {}
    }

    private final SyncListener metrics;
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Exceptions(SyncListener metrics) {
        this.metrics = metrics;
    }

    /** Adds a listener; at start-up. */
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    public static String stopSubject(String stopId) {
        return "stop:" + stopId;
    }

    /** The key only the open exception of this subject and kind holds. */
    public static String dedupeKey(ExceptionKind kind, String subject) {
        return kind.wire() + ":" + subject;
    }

    /** Attaches the findings not attached before, opening an exception for a subject and kind that has none open. */
    public void open(Tx tx, List<Finding> findings) {
        if (findings.isEmpty()) {
            return;
        }
        Set<String> known = tx.exceptions()
                .knownFindings(findings.stream().map(Finding::key).toList());
        Map<String, List<Finding>> byException = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>(known);
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
            ExceptionRow row = new ExceptionRow(
                    tx.reserveIds("exception", 1),
                    first.dedupeKey(),
                    first.kind().wire(),
                    "open",
                    String.join(",", first.codes()),
                    first.routeId(),
                    first.stopId(),
                    first.driverId(),
                    first.deviceId(),
                    first.idempotencyKey(),
                    first.at(),
                    first.at(),
                    null,
                    null,
                    null,
                    null,
                    null);
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
            metrics.exceptionOpened(first.kind().wire());
            for (Listener l : listeners) {
                l.opened(tx, tx.exceptions().find(open.exceptionId()).orElseThrow(), first.at());
            }
        }
    }

    /**
     * Marks a finding's condition ended (its evidence arrived, a breach cleared). An exception left with no finding
     * that still holds resolves itself, by {@link #SYSTEM}, with {@code resolution}.
     */
    public void clear(Tx tx, String findingKey, String resolution, long now) {
        if (!tx.exceptions().clearFinding(findingKey, now)) {
            return;
        }
        FindingRow f = tx.exceptions().finding(findingKey).orElseThrow();
        List<FindingRow> all =
                tx.exceptions().findingsOf(List.of(f.exceptionId())).getOrDefault(f.exceptionId(), List.of());
        if (all.stream().anyMatch(x -> x.clearedAt() == null)) {
            summarize(tx, f.exceptionId(), now);
        } else if (tx.exceptions().resolve(f.exceptionId(), SYSTEM, resolution, null, null, now)) {
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
                        new ExceptionRow(
                                x.exceptionId(),
                                x.dedupeKey(),
                                x.kind(),
                                "resolved",
                                x.codes(),
                                x.routeId(),
                                x.stopId(),
                                x.driverId(),
                                x.deviceId(),
                                x.idempotencyKey(),
                                x.createdAt(),
                                now,
                                now,
                                SYSTEM,
                                WITHDRAWN,
                                null,
                                null),
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
