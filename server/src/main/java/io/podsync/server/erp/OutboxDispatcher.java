package io.podsync.server.erp;

import io.podsync.protocol.ErpEvent;
import io.podsync.storage.Database;
import io.podsync.storage.OutboxAttemptRow;
import io.podsync.storage.OutboxRow;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Delivers outbox messages to the ERP endpoints. Never called from a device's request: it polls for due messages,
 * takes each with a lease (so several replicas never send one message at once), and posts it as a signed CloudEvent.
 *
 * <p>2xx: delivered. 410: the endpoint is disabled and its messages held until operations enable it. 429 and 503:
 * slow down, honouring {@code Retry-After}. Anything else, or no answer within the timeout: try again on the schedule
 * (with jitter); after the last attempt the message is dead, for operations to replay. Messages of one stop go out
 * in order: a message waits while an older one of its stop is not delivered.
 */
public final class OutboxDispatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OutboxDispatcher.class.getName());
    private static final int BATCH = 500;

    /** Observes deliveries, for metrics. */
    public interface Listener {
        void delivered(String type, long millisSinceCreated);

        void failedAttempt(int status);

        void dead(String type);

        Listener NONE = new Listener() {
            @Override
            public void delivered(String type, long millisSinceCreated) {}

            @Override
            public void failedAttempt(int status) {}

            @Override
            public void dead(String type) {}
        };
    }

    private final Database db;
    private final ErpConfig config;
    private final Clock clock;
    private final Listener listener;
    private final Map<String, ErpConfig.Endpoint> endpoints;
    private final Map<String, WebhookSigner> signers;
    private final Map<String, java.util.concurrent.Semaphore> inFlight;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podsync-outbox").factory());

    public OutboxDispatcher(Database db, ErpConfig config, Clock clock, Listener listener) {
        this.db = db;
        this.config = config;
        this.clock = clock;
        this.listener = listener;
        this.endpoints =
                config.endpoints().stream().collect(Collectors.toMap(ErpConfig.Endpoint::name, Function.identity()));
        this.signers = config.endpoints().stream()
                .collect(Collectors.toMap(ErpConfig.Endpoint::name, e -> new WebhookSigner(e.secrets())));
        this.inFlight = config.endpoints().stream()
                .collect(Collectors.toMap(
                        ErpConfig.Endpoint::name, e -> new java.util.concurrent.Semaphore(e.maxInFlight())));
    }

    public OutboxDispatcher start() {
        if (!endpoints.isEmpty()) {
            long every = Math.max(10, config.pollInterval().toMillis());
            scheduler.scheduleWithFixedDelay(this::safeRun, every, every, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void safeRun() {
        try {
            // A full batch means there is a backlog: keep going instead of waiting for the next poll.
            while (runOnce() == BATCH && !Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "outbox pass failed; will retry: " + e.getMessage());
        }
    }

    /** One pass: sends every due message whose turn it is; returns how many were attempted. */
    public int runOnce() {
        long now = clock.millis();
        List<OutboxRow> due = db.read(tx -> tx.outbox().due(now, BATCH));
        List<OutboxRow> claimed = db.write(tx -> {
            List<OutboxRow> mine = new ArrayList<>();
            for (OutboxRow m : due) {
                ErpConfig.Endpoint endpoint = endpoints.get(m.endpoint());
                // Long enough for the whole pass: sends queue behind the endpoint's in-flight limit.
                long lease = now
                        + (endpoint == null
                                ? 60_000
                                : endpoint.timeout().toMillis() * (due.size() / endpoint.maxInFlight() + 2) + 5_000);
                if (tx.outbox().claim(m.outboxId(), now, lease)) {
                    mine.add(m);
                }
            }
            return mine;
        });
        List<Future<Result>> sending = new ArrayList<>();
        for (OutboxRow m : claimed) {
            sending.add(senders.submit(() -> send(m, endpoints.get(m.endpoint()))));
        }
        List<Result> results = new ArrayList<>(sending.size());
        for (Future<Result> f : sending) {
            try {
                results.add(f.get());
            } catch (Exception e) {
                LOG.log(Level.WARNING, "outbox send failed: " + e); // the lease runs out and the message goes again
            }
        }
        if (!results.isEmpty()) {
            db.write(
                    tx -> { // one transaction for the whole pass: the sends are what takes time, not this
                        results.forEach(r -> record(tx, r));
                        return null;
                    });
            results.forEach(this::tell);
        }
        return due.size() == BATCH ? BATCH : sending.size();
    }

    /** What one delivery attempt came to. {@code status} 0: no answer. */
    private record Result(
            OutboxRow message,
            ErpConfig.Endpoint endpoint,
            int attempt,
            long start,
            long end,
            int status,
            String error,
            String retryAfter) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        boolean isDead(int scheduleSize) {
            return !ok() && status != 410 && endpoint != null && attempt >= scheduleSize;
        }
    }

    private Result send(OutboxRow m, ErpConfig.Endpoint endpoint) {
        int attempt = m.attempts() + 1;
        long start = clock.millis();
        if (endpoint == null) { // the endpoint left the configuration: keep the message for when it is back
            return new Result(m, null, m.attempts(), start, start, 0, "endpoint not configured", null);
        }
        java.util.concurrent.Semaphore gate = inFlight.get(endpoint.name());
        gate.acquireUninterruptibly();
        try {
            return deliver(m, endpoint, attempt, start);
        } finally {
            gate.release();
        }
    }

    private Result deliver(OutboxRow m, ErpConfig.Endpoint endpoint, int attempt, long start) {
        byte[] body = m.payloadJson().getBytes(StandardCharsets.UTF_8);
        long timestamp = start / 1000;
        int status = 0;
        String error = null;
        String retryAfter = null;
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint.url())
                    .timeout(endpoint.timeout())
                    .header("Content-Type", ErpEvent.MEDIA_TYPE)
                    .header("webhook-id", m.messageId())
                    .header("webhook-timestamp", String.valueOf(timestamp))
                    .header(
                            "webhook-signature",
                            signers.get(endpoint.name()).signatures(m.messageId(), timestamp, body))
                    .header("Idempotency-Key", m.messageId())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            HttpResponse<String> res = http.send(request, HttpResponse.BodyHandlers.ofString());
            status = res.statusCode();
            retryAfter = res.headers().firstValue("Retry-After").orElse(null);
            if (status >= 300) {
                error = abbreviate(res.body());
            }
        } catch (java.net.http.HttpTimeoutException e) {
            error = "timed out after " + endpoint.timeout();
        } catch (java.io.IOException e) {
            error = "no answer: " + abbreviate(String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        }
        return new Result(m, endpoint, attempt, start, clock.millis(), status, error, retryAfter);
    }

    private void record(io.podsync.storage.Tx tx, Result r) {
        OutboxRow m = r.message();
        if (r.endpoint() == null) {
            tx.outbox().setStatus(m.outboxId(), "held", m.attempts(), null, r.error());
            return;
        }
        long now = r.end();
        Integer status = r.status() == 0 ? null : r.status();
        tx.outbox()
                .recordAttempt(new OutboxAttemptRow(
                        m.outboxId(), r.attempt(), r.start(), r.status(), r.error(), r.end() - r.start()));
        if (r.ok()) {
            tx.outbox().delivered(m.outboxId(), r.attempt(), r.status(), now);
        } else if (r.status() == 410) {
            tx.outbox().setStatus(m.outboxId(), "held", r.attempt(), status, r.error());
            tx.outbox().disable(r.endpoint().name(), "answered 410 Gone", now);
            tx.outbox().setStatusOfEndpoint(r.endpoint().name(), "pending", "held", now);
        } else if (r.isDead(config.schedule().size())) {
            tx.outbox().setStatus(m.outboxId(), "dead", r.attempt(), status, r.error());
        } else {
            long next = now + jittered(config.schedule().get(r.attempt()));
            if (r.status() == 429 || r.status() == 503) {
                next = Math.max(next, now + retryAfterMillis(r.retryAfter()));
            }
            tx.outbox().reschedule(m.outboxId(), r.attempt(), next, status, r.error());
        }
    }

    private void tell(Result r) {
        if (r.endpoint() == null) {
            return;
        }
        if (r.ok()) {
            listener.delivered(r.message().type(), r.end() - r.message().createdAt());
            return;
        }
        listener.failedAttempt(r.status());
        if (r.isDead(config.schedule().size())) {
            listener.dead(r.message().type());
            LOG.log(
                    Level.WARNING,
                    "ERP message " + r.message().messageId() + " to "
                            + r.endpoint().name() + " is dead after " + r.attempt() + " attempts");
        }
    }

    /** ±10%, so that a burst of failures does not come back as a burst. */
    private static long jittered(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return 0;
        }
        long spread = Math.max(1, ms / 10);
        return ms + ThreadLocalRandom.current().nextLong(-spread, spread + 1);
    }

    static long retryAfterMillis(String header) {
        if (header == null) {
            return 0;
        }
        try {
            return Math.min(Duration.ofHours(24).toMillis(), Long.parseLong(header.trim()) * 1000);
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
            } catch (java.time.format.DateTimeParseException e2) {
                return 0;
            }
        }
    }

    private static String abbreviate(String s) {
        return s == null ? null : s.length() > 300 ? s.substring(0, 300) : s;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        senders.shutdownNow();
    }
}
