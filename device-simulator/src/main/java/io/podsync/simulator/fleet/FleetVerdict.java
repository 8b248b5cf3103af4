package io.podsync.simulator.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.EventType;
import io.podsync.protocol.ExceptionView;
import io.podsync.protocol.LineOutcome;
import io.podsync.protocol.StopStateView;
import io.podsync.simulator.erp.Delivery;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Judges a run: the ledger (what the devices captured) against the observations (what the server and the ERP hold).
 * Pure, so the same inputs always give the same verdict.
 */
final class FleetVerdict {
    private static final int SHOWN = 5;

    private FleetVerdict() {}

    /**
     * @param allowedVerdicts the final verdicts allowed per captured event ({@code applied}, unless a scenario provokes
     *     another on purpose)
     * @param expectedExceptionKinds exception kinds the scenario provokes on purpose
     */
    static List<Check> evaluate(
            Ledger ledger,
            Observations obs,
            Function<Ledger.Entry, Set<String>> allowedVerdicts,
            Set<String> expectedExceptionKinds) {
        List<Check> checks = new ArrayList<>();
        checks.add(eventsAccounted(ledger, obs, allowedVerdicts));
        checks.add(stopOutcomes(ledger, obs));
        if (obs.deliveries() != null) {
            checks.add(erpExactlyOnce(ledger, obs));
        }
        checks.add(evidence(ledger, obs));
        if (obs.openExceptions() != null) {
            checks.add(exceptions(obs.openExceptions(), expectedExceptionKinds));
        }
        List<String> problems = ledger.problems();
        checks.add(check("devices saw no protocol errors", problems));
        return checks;
    }

    static Check eventsAccounted(Ledger ledger, Observations obs, Function<Ledger.Entry, Set<String>> allowed) {
        List<String> bad = new ArrayList<>();
        for (Ledger.Entry e : ledger.entries()) {
            String key = e.event.idempotencyKey();
            Set<String> want = allowed.apply(e);
            String got = obs.verdicts().get(key);
            if (!want.contains(got)) {
                bad.add(key + " (" + e.event.type().wire() + " at " + e.event.stopId() + "): expected " + want
                        + ", got " + (got == null ? "nothing (missing)" : got));
            }
        }
        return check(
                "every captured event has its final verdict ("
                        + ledger.entries().size() + ")",
                bad);
    }

    /** The deciding event per stop: its earliest successful counted attempt (protocol section 9). */
    static Map<String, Ledger.Entry> expectedOutcomes(Ledger ledger, Observations obs) {
        Map<String, Ledger.Entry> out = new HashMap<>();
        for (Ledger.Entry e : ledger.entries()) {
            EventType t = e.event.type();
            boolean counted = "applied".equals(obs.verdicts().get(e.event.idempotencyKey()));
            if (counted && (t == EventType.DELIVERED || t == EventType.PARTIALLY_DELIVERED)) {
                out.merge(
                        e.event.stopId(),
                        e,
                        (a, b) -> a.event.attemptOrDefault() <= b.event.attemptOrDefault() ? a : b);
            }
        }
        return out;
    }

    static Check stopOutcomes(Ledger ledger, Observations obs) {
        List<String> bad = new ArrayList<>();
        Map<String, Ledger.Entry> expected = expectedOutcomes(ledger, obs);
        expected.forEach((stop, e) -> {
            StopStateView s = obs.stopStates().get(stop);
            if (s == null
                    || !e.event.type().wire().equals(s.status())
                    || !e.event.idempotencyKey().equals(s.outcomeEventKey())) {
                bad.add(stop + ": expected " + e.event.type().wire() + " by " + e.event.idempotencyKey() + ", got "
                        + (s == null ? "no state" : s.status() + " by " + s.outcomeEventKey()));
            }
        });
        return check("every completed stop has the captured outcome (" + expected.size() + ")", bad);
    }

    static Check erpExactlyOnce(Ledger ledger, Observations obs) {
        List<String> bad = new ArrayList<>();
        Map<String, List<Delivery>> byStop = new HashMap<>();
        for (Delivery d : obs.deliveries()) {
            String stop = d.data() == null ? null : d.data().path("stopId").asText(null);
            byStop.computeIfAbsent(stop, k -> new ArrayList<>()).add(d);
        }
        // while an exception about a stop is open its confirmation is held (erp-integration.md section 2)
        Set<String> held = new HashSet<>();
        if (obs.openExceptions() != null) {
            obs.openExceptions().forEach(x -> held.add(x.stopId()));
        }
        int confirmed = 0;
        for (StopStateView s : obs.stopStates().values()) {
            boolean success = ("delivered".equals(s.status()) || "partially_delivered".equals(s.status()))
                    && !held.contains(s.stopId());
            List<Delivery> got = byStop.getOrDefault(s.stopId(), List.of());
            if (!success) {
                if (!got.isEmpty()) {
                    bad.add(s.stopId() + " is " + s.status() + " but the ERP got " + got.size() + " deliveries");
                }
                continue;
            }
            confirmed++;
            if (got.size() != 1) {
                bad.add(s.stopId() + ": " + got.size() + " ERP deliveries, expected exactly 1");
                continue;
            }
            JsonNode data = got.get(0).data();
            String key = data.path("outcomeEventKey").asText();
            if (!key.equals(s.outcomeEventKey())) {
                bad.add(s.stopId() + ": ERP outcome event " + key + ", stop decided by " + s.outcomeEventKey());
                continue;
            }
            Ledger.Entry e = ledger.entry(key);
            if (e == null) {
                bad.add(s.stopId() + ": ERP outcome event " + key + " was never captured");
            } else if (!sameLines(e.event.payloadOrEmpty().lines(), data.path("orders"))) {
                bad.add(s.stopId() + ": ERP line quantities differ from the captured "
                        + e.event.payloadOrEmpty().lines());
            }
        }
        byStop.keySet().stream()
                .filter(stop -> !obs.stopStates().containsKey(stop))
                .forEach(stop -> bad.add("ERP delivery for unknown stop " + stop));
        return check("every confirmed delivery reached the ERP exactly once (" + confirmed + ")", bad);
    }

    private static boolean sameLines(List<LineOutcome> captured, JsonNode orders) {
        Map<String, BigDecimal[]> erp = new HashMap<>();
        for (JsonNode o : orders) {
            for (JsonNode l : o.path("lines")) {
                erp.put(o.path("orderId").asText() + "/" + l.path("lineId").asText(), new BigDecimal[] {
                    l.path("delivered").decimalValue(), l.path("refused").decimalValue()
                });
            }
        }
        if (captured == null) {
            return false;
        }
        for (LineOutcome l : captured) {
            BigDecimal[] q = erp.get(l.orderId() + "/" + l.lineId());
            BigDecimal rejected = l.refused() == null ? BigDecimal.ZERO : l.refused();
            BigDecimal delivered = l.delivered() == null ? BigDecimal.ZERO : l.delivered();
            if (q == null || q[0].compareTo(delivered) != 0 || q[1].compareTo(rejected) != 0) {
                return false;
            }
        }
        return true;
    }

    static Check evidence(Ledger ledger, Observations obs) {
        List<String> bad = new ArrayList<>();
        Map<String, Artifact> all = ledger.artifacts();
        all.forEach((sha, a) -> {
            byte[] got = obs.artifacts().get(sha);
            if (got == null) {
                bad.add(sha + " (" + a.kind().wire() + ") not retrievable");
            } else if (!Arrays.equals(got, a.bytes())) {
                bad.add(sha + " came back with other bytes");
            }
        });
        return check("every evidence artifact retrievable with the same bytes (" + all.size() + ")", bad);
    }

    static Check exceptions(List<ExceptionView> open, Set<String> expectedKinds) {
        List<String> bad = new ArrayList<>();
        for (String kind : expectedKinds) { // a scenario that provokes nothing proves nothing
            if (open.stream().noneMatch(x -> x.kind().equals(kind))) {
                bad.add("expected a " + kind + " exception, none is open");
            }
        }
        for (ExceptionView x : open) {
            if (!expectedKinds.contains(x.kind())) {
                bad.add(x.kind() + " " + x.codes() + " at " + x.stopId() + " (" + x.idempotencyKey() + ")");
            }
        }
        return check("open exceptions are exactly of the expected kinds " + expectedKinds, bad);
    }

    private static Check check(String name, List<String> bad) {
        if (bad.isEmpty()) {
            return new Check(name, true, "");
        }
        String shown = String.join("; ", bad.subList(0, Math.min(SHOWN, bad.size())));
        return new Check(name, false, bad.size() + " failed: " + shown + (bad.size() > SHOWN ? "; ..." : ""));
    }
}
