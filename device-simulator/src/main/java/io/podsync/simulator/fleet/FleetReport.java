package io.podsync.simulator.fleet;

import java.io.PrintStream;
import java.util.List;

/**
 * The outcome of a run, printed as a table and written as JSON.
 *
 * @param latencyStepsP50 capture to the device seeing {@code applied}, in simulated steps (an offline device waits)
 * @param latencyMillisP50 the same in wall-clock milliseconds
 * @param eventsPerSecond events pushed (including resends) per second of the whole run
 */
public record FleetReport(
        String runTag,
        long seed,
        int devices,
        int stops,
        int steps,
        long eventsCaptured,
        long pushes,
        long eventsPushed,
        long duplicatesSent,
        long crashes,
        long offlinePeriods,
        long uploads,
        long uploadsCut,
        long uploadsResumed,
        long resyncs,
        long networkFailures,
        long erpDeliveries,
        long finalRounds,
        double latencyStepsP50,
        double latencyStepsP95,
        double latencyStepsMax,
        double latencyMillisP50,
        double latencyMillisP95,
        double latencyMillisP99,
        double seconds,
        double eventsPerSecond,
        List<Check> checks,
        boolean passed) {

    public void print(PrintStream out) {
        out.printf("%nfleet run %s (seed %d): %d devices x %d stops, %d steps%n", runTag, seed, devices, stops, steps);
        row(out, "events captured", eventsCaptured);
        row(out, "pushes (events sent)", pushes + " (" + eventsPushed + ")");
        row(out, "duplicates sent on purpose", duplicatesSent);
        row(out, "crashes", crashes);
        row(out, "offline periods", offlinePeriods);
        row(out, "uploads (cut, resumed)", uploads + " (" + uploadsCut + ", " + uploadsResumed + ")");
        row(out, "resyncs after 410", resyncs);
        row(out, "network failures", networkFailures);
        row(out, "ERP deliveries", erpDeliveries);
        row(out, "final sync rounds", finalRounds);
        row(
                out,
                "latency steps p50/p95/max",
                fmt(latencyStepsP50) + " / " + fmt(latencyStepsP95) + " / " + fmt(latencyStepsMax));
        row(
                out,
                "latency ms p50/p95/p99",
                fmt(latencyMillisP50) + " / " + fmt(latencyMillisP95) + " / " + fmt(latencyMillisP99));
        row(out, "seconds", fmt(seconds));
        row(out, "events pushed/s", fmt(eventsPerSecond));
        out.println();
        for (Check c : checks) {
            out.printf("  %-4s %s%s%n", c.passed() ? "ok" : "FAIL", c.name(), c.passed() ? "" : ": " + c.detail());
        }
        out.println(passed ? "VERDICT: PASS" : "VERDICT: FAIL");
    }

    private static void row(PrintStream out, String name, Object value) {
        out.printf("  %-28s %s%n", name, value);
    }

    private static String fmt(double d) {
        return String.format("%.1f", d);
    }
}
