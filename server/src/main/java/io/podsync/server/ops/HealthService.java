package io.podsync.server.ops;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.server.http.JsonBodies;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Liveness ({@code live}: the process answers), readiness ({@code ready}: every check passes, with what is down and
 * why) and start-up ({@code started}: the server has finished starting), at {@code /observe/health/...} as Helidon
 * users expect, and at {@code /health/...} as before. Public so that load balancers and orchestrators can probe them.
 *
 * <p>Readiness answers within {@link #BUDGET} whatever the database does: each check runs on its own thread, a check
 * still running at the end of the budget is reported down ("no answer"), and a result is reused for {@link #MAX_AGE}
 * so that a flood of probes costs the database one query a second. A check that is still running is never started
 * twice.
 */
public final class HealthService implements HttpService {
    /** How long readiness waits for its checks. */
    static final Duration BUDGET = Duration.ofMillis(800);
    /** How long a check's result is reused. */
    static final Duration MAX_AGE = Duration.ofSeconds(1);

    /** A named probe: returns {@code null} when up, or what is wrong. */
    public record Check(String name, Supplier<String> probe) {}

    private final List<CachedCheck> checks;
    private volatile boolean started;

    public HealthService(List<Check> checks) {
        this.checks = checks.stream().map(CachedCheck::new).toList();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/live", (req, res) -> JsonBodies.ok(res, Map.of("status", "UP")))
                .get("/ready", this::ready)
                .get("/started", this::started);
    }

    /** The server has started its background work too: from now on {@code started} is up. */
    public void markStarted() {
        started = true;
    }

    private void started(ServerRequest req, ServerResponse res) {
        JsonBodies.send(
                res,
                started ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                Map.of("status", started ? "UP" : "DOWN"));
    }

    private void ready(ServerRequest req, ServerResponse res) {
        long deadline = System.nanoTime() + BUDGET.toNanos();
        List<CompletableFuture<String>> running =
                checks.stream().map(CachedCheck::result).toList();
        Map<String, String> status = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (int i = 0; i < checks.size(); i++) {
            String problem = await(running.get(i), deadline);
            status.put(checks.get(i).check.name(), problem == null ? "UP" : "DOWN");
            if (problem != null) {
                problems.put(checks.get(i).check.name(), problem);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", problems.isEmpty() ? "UP" : "DOWN");
        body.put("checks", status);
        if (!problems.isEmpty()) {
            body.put("problems", problems);
        }
        JsonBodies.send(res, problems.isEmpty() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, body);
    }

    private static String await(CompletableFuture<String> result, long deadline) {
        try {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return "no answer within " + BUDGET.toMillis() + " ms";
        } catch (ExecutionException e) {
            return "check failed: " + e.getCause().getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** One check, its running probe, and its last result with the time it was taken. */
    private static final class CachedCheck {
        private static final Executor PROBES = Executors.newVirtualThreadPerTaskExecutor();

        private final Check check;
        private CompletableFuture<String> current;
        private long doneAt;

        CachedCheck(Check check) {
            this.check = check;
        }

        /** The running probe, or the last result if it is fresh, or a new probe. */
        synchronized CompletableFuture<String> result() {
            boolean fresh = current != null && (!current.isDone() || System.nanoTime() - doneAt < MAX_AGE.toNanos());
            if (!fresh) {
                CompletableFuture<String> probe = CompletableFuture.supplyAsync(check.probe(), PROBES);
                probe.whenComplete((r, e) -> finished());
                current = probe;
            }
            return current;
        }

        private synchronized void finished() {
            doneAt = System.nanoTime();
        }
    }
}
