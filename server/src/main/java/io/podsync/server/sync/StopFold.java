package io.podsync.server.sync;

import io.podsync.protocol.EventType;
import io.podsync.protocol.StopStateView;
import io.podsync.server.exceptions.FindingKeys;
import io.podsync.storage.EventRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A stop's state as a pure function of the set of its counted events, whatever order they arrived in.
 *
 * <p>Order: within one device, by sequence number (a device's clock may jump; its counter does not); across devices,
 * by corrected capture time, ties broken by device id. The two combine as a merge of per-device sequences of the
 * decisive events (arrivals and outcomes); notes, scans and departures only open their attempt.
 *
 * <p>Rules: events belong to attempts (1, 2, ...). The first outcome of an attempt in that order decides the attempt;
 * a different outcome in the same attempt is a contradiction. The stop is complete with its earliest successful
 * attempt (delivered or partially delivered); any event of a later attempt is an event after completion. Without a
 * success, the latest attempt decides: failed, arrived, or reattempt (an earlier attempt failed and a new one has
 * begun) or pending.
 */
public final class StopFold {
    public static final String CONTRADICTORY_OUTCOMES = "contradictory_outcomes";
    public static final String EVENT_AFTER_COMPLETION = "event_after_completion";

    /** The derived state plus the anomalies that should be exceptions, keyed deterministically. */
    public record Result(StopStateView state, List<Anomaly> anomalies) {}

    /** A contradiction found among the events of one attempt. */
    public record Anomaly(String code, int attempt) {
        public String key(String stopId) {
            return FindingKeys.contradiction(stopId, attempt, code);
        }
    }

    private StopFold() {}

    public static StopStateView pending(String stopId) {
        return new StopStateView(stopId, StopStatus.PENDING.wire(), 0, null, null, null, null, List.of());
    }

    /**
     * The part of a stop's counted events that {@link #fold} depends on, which a stop state keeps so that the next
     * fold need not read the stop's events back: every arrival and outcome, and for each attempt that only notes,
     * scans or departures opened, one of them (the fold uses them for nothing but opening their attempt). Duplicates
     * (same device and sequence number) are dropped; the result is ordered by device and sequence number, so equal
     * inputs compare equal.
     */
    public static List<EventRow> inputs(Collection<EventRow> events) {
        TreeSet<EventRow> unique = new TreeSet<>(BY_ID);
        Set<Integer> opened = new HashSet<>();
        for (EventRow e : events) {
            unique.add(e);
            if (isDecisive(e)) {
                opened.add(e.attempt());
            }
        }
        List<EventRow> out = new ArrayList<>(unique.size());
        for (EventRow e : unique) {
            if (isDecisive(e) || opened.add(e.attempt())) {
                out.add(e);
            }
        }
        return out;
    }

    /** The attempts that a stop's events opened. */
    public static Set<Integer> attempts(Collection<EventRow> events) {
        Set<Integer> out = new HashSet<>();
        for (EventRow e : events) {
            out.add(e.attempt());
        }
        return out;
    }

    /** Whether two lists of fold inputs name the same events (device and sequence number) in the same order. */
    public static boolean sameEvents(List<EventRow> a, List<EventRow> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (BY_ID.compare(a.get(i), b.get(i)) != 0) {
                return false;
            }
        }
        return true;
    }

    private static final Comparator<EventRow> BY_ID =
            Comparator.comparing(EventRow::deviceId).thenComparingLong(EventRow::seq);

    private static boolean isDecisive(EventRow e) {
        EventType type = EventType.valueOf(e.type());
        return type == EventType.ARRIVED || type.isOutcome();
    }

    public static Result fold(String stopId, List<EventRow> events) {
        if (events.isEmpty()) {
            return new Result(pending(stopId), List.of());
        }
        TreeMap<Integer, Attempt> attempts = new TreeMap<>();
        List<EventRow> decisive = new ArrayList<>();
        for (EventRow e : events) {
            // Every event opens its attempt; only arrivals and outcomes feed the rules, so only they are ordered.
            // A note, scan or departure can then never reorder the others, which is what lets a push of such
            // events skip the refold (StopStates.canChangeState).
            attempts.computeIfAbsent(e.attempt(), Attempt::new);
            if (isDecisive(e)) {
                decisive.add(e);
            }
        }
        for (EventRow e : order(decisive)) {
            attempts.get(e.attempt()).add(e);
        }
        List<Anomaly> anomalies = new ArrayList<>();
        for (Attempt a : attempts.values()) {
            if (a.contradiction) {
                anomalies.add(new Anomaly(CONTRADICTORY_OUTCOMES, a.number));
            }
        }
        Attempt success = attempts.values().stream()
                .filter(a -> a.outcome != null && isSuccess(a.outcome))
                .findFirst()
                .orElse(null);
        StopStateView state;
        if (success != null) {
            for (Attempt later : attempts.tailMap(success.number, false).values()) {
                anomalies.add(new Anomaly(EVENT_AFTER_COMPLETION, later.number));
            }
            state = decided(stopId, success, anomalies);
        } else {
            Attempt last = attempts.lastEntry().getValue();
            if (last.outcome != null) {
                state = decided(stopId, last, anomalies);
            } else {
                boolean earlierFailure =
                        attempts.headMap(last.number, false).values().stream().anyMatch(a -> a.outcome != null);
                StopStatus status = earlierFailure
                        ? StopStatus.REATTEMPT
                        : last.arrivedAt != null ? StopStatus.ARRIVED : StopStatus.PENDING;
                state = new StopStateView(
                        stopId,
                        status.wire(),
                        last.number,
                        instant(last.arrivedAt),
                        null,
                        null,
                        null,
                        codes(anomalies));
            }
        }
        return new Result(state, List.copyOf(anomalies));
    }

    private static StopStateView decided(String stopId, Attempt a, List<Anomaly> anomalies) {
        return new StopStateView(
                stopId,
                EventType.valueOf(a.outcome.type()).wire(),
                a.number,
                instant(a.arrivedAt),
                Instant.ofEpochMilli(a.outcome.correctedAt()),
                a.outcome.idempotencyKey(),
                a.outcome.deviceId(),
                codes(anomalies));
    }

    private static List<String> codes(List<Anomaly> anomalies) {
        return anomalies.stream().map(a -> a.code() + "@" + a.attempt()).toList();
    }

    private static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static boolean isSuccess(EventRow e) {
        return e.type().equals(EventType.DELIVERED.name()) || e.type().equals(EventType.PARTIALLY_DELIVERED.name());
    }

    /** Per-device sequence order, merged across devices by corrected time. */
    static List<EventRow> order(List<EventRow> events) {
        Map<String, List<EventRow>> byDevice =
                events.stream().collect(Collectors.groupingBy(EventRow::deviceId, TreeMap::new, Collectors.toList()));
        record Head(List<EventRow> list, int index) {
            EventRow event() {
                return list.get(index);
            }
        }
        PriorityQueue<Head> heads = new PriorityQueue<>(
                Comparator.comparingLong((Head h) -> h.event().correctedAt())
                        .thenComparing(h -> h.event().deviceId()));
        for (List<EventRow> list : byDevice.values()) {
            list.sort(Comparator.comparingLong(EventRow::seq));
            heads.add(new Head(list, 0));
        }
        List<EventRow> out = new ArrayList<>(events.size());
        while (!heads.isEmpty()) {
            Head h = heads.poll();
            out.add(h.event());
            if (h.index() + 1 < h.list().size()) {
                heads.add(new Head(h.list(), h.index() + 1));
            }
        }
        return out;
    }

    private static final class Attempt {
        final int number;
        Long arrivedAt;
        EventRow outcome;
        boolean contradiction;

        Attempt(int number) {
            this.number = number;
        }

        void add(EventRow e) {
            EventType type = EventType.valueOf(e.type());
            if (type == EventType.ARRIVED && arrivedAt == null) {
                arrivedAt = e.correctedAt();
            }
            if (type.isOutcome()) {
                if (outcome == null) {
                    outcome = e;
                } else if (!outcome.type().equals(e.type())) {
                    contradiction = true;
                }
            }
        }
    }
}
