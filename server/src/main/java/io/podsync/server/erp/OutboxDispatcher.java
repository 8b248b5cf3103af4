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
    private static final int BATCH = 200;

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
            runOnce();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "outbox pass failed; will retry: " + e.getMessage());
        }
    }

    /** One pass: sends every due message whose turn it is; returns how many were attempted. */
    public int runOnce() {
        long now = clock.millis();
        List<OutboxRow> due = db.read(tx -> {
            List<OutboxRow> ready = new ArrayList<>();
            for (OutboxRow m : tx.outbox().due(now, BATCH)) {
                if (!tx.outbox().hasOlderUndelivered(m.partitionKey(), m.endpoint(), m.outboxId())) {
                    ready.add(m);
                }
            }
            return ready;
        });
        List<Future<?>> sending = new ArrayList<>();
        for (OutboxRow m : due) {
            ErpConfig.Endpoint endpoint = endpoints.get(m.endpoint());
            long lease = now + (endpoint == null ? 60_000 : endpoint.timeout().toMillis() * 2 + 5_000);
            if (db.write(tx -> tx.outbox().claim(m.outboxId(), now, lease))) {
                sending.add(senders.submit(() -> send(m, endpoint)));
            }
        }
        for (Future<?> f : sending) {
            try {
                f.get();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "outbox send failed: " + e);
            }
        }
        return sending.size();
    }

    private void send(OutboxRow m, ErpConfig.Endpoint endpoint) {
        int attempt = m.attempts() + 1;
        if (endpoint == null) { // the endpoint left the configuration: keep the message for when it is back
            db.write(tx -> {
                tx.outbox().setStatus(m.outboxId(), "held", m.attempts(), null, "endpoint not configured");
                return null;
            });
            return;
        }
        byte[] body = m.payloadJson().getBytes(StandardCharsets.UTF_8);
        long start = clock.millis();
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
        long now = clock.millis();
        int finalStatus = status;
        String finalError = error;
        String finalRetryAfter = retryAfter;
        db.write(tx -> {
            tx.outbox()
                    .recordAttempt(
                            new OutboxAttemptRow(m.outboxId(), attempt, start, finalStatus, finalError, now - start));
            if (finalStatus >= 200 && finalStatus < 300) {
                tx.outbox().delivered(m.outboxId(), attempt, finalStatus, now);
            } else if (finalStatus == 410) {
                tx.outbox().setStatus(m.outboxId(), "held", attempt, finalStatus, finalError);
                tx.outbox().disable(endpoint.name(), "answered 410 Gone", now);
                tx.outbox().setStatusOfEndpoint(endpoint.name(), "pending", "held", now);
            } else if (attempt >= config.schedule().size()) {
                tx.outbox().setStatus(m.outboxId(), "dead", attempt, finalStatus == 0 ? null : finalStatus, finalError);
            } else {
                long next = now + jittered(config.schedule().get(attempt));
                if (finalStatus == 429 || finalStatus == 503) {
                    next = Math.max(next, now + retryAfterMillis(finalRetryAfter));
                }
                tx.outbox().reschedule(m.outboxId(), attempt, next, finalStatus == 0 ? null : finalStatus, finalError);
            }
            return null;
        });
        if (finalStatus >= 200 && finalStatus < 300) {
            listener.delivered(m.type(), now - m.createdAt());
        } else {
            listener.failedAttempt(finalStatus);
            if (finalStatus != 410 && attempt >= config.schedule().size()) {
                listener.dead(m.type());
                LOG.log(
                        Level.WARNING,
                        "ERP message " + m.messageId() + " to " + endpoint.name() + " is dead after " + attempt
                                + " attempts");
            }
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
