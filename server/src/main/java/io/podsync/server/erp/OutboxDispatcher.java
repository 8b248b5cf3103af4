package io.podsync.server.erp;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.http1.Http1Client;
import io.podsync.protocol.ErpEvent;
import io.podsync.server.http.Correlation;
import io.podsync.server.observe.Telemetry;
import io.podsync.storage.OutboxAttemptRow;
import io.podsync.storage.OutboxRow;
import io.podsync.storage.jdbc.Database;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
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
    /** The longest wait an ERP's Retry-After may ask for. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    private static final System.Logger LOG = System.getLogger(OutboxDispatcher.class.getName());
    private static final int BATCH = 500;
    private static final HeaderName WEBHOOK_ID = HeaderNames.create("webhook-id");
    private static final HeaderName WEBHOOK_TIMESTAMP = HeaderNames.create("webhook-timestamp");
    private static final HeaderName WEBHOOK_SIGNATURE = HeaderNames.create("webhook-signature");
    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");

    /** Observes deliveries, for metrics. */
    public interface Listener {
        /** The ERP acknowledged {@code message} at {@code at}. */
        void delivered(OutboxRow message, long at);

        void failedAttempt(int status);

        void dead(String type);

        Listener NONE = new Listener() {
            @Override
            public void delivered(OutboxRow message, long at) {}

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
    private final Telemetry telemetry;
    private final Map<String, ErpConfig.Endpoint> endpoints;
    private final Map<String, WebhookSigner> signers;
    private final Map<String, Semaphore> inFlight;
    // Helidon's blocking HTTP/1.1 client on virtual threads costs a fraction of the JDK client's CPU per request,
    // which is what bounds a backlog drain. Direct connections (no proxy lookup per request, as with the JDK client),
    // no redirects (a webhook that moved is a configuration error, and following it would carry the signature
    // elsewhere), no Expect: 100-continue round trip for bodies of a few KB.
    private final Http1Client http;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podsync-outbox").factory());

    public OutboxDispatcher(Database db, ErpConfig config, Clock clock, Listener listener, Telemetry telemetry) {
        this.db = db;
        this.telemetry = telemetry;
        this.config = config;
        this.clock = clock;
        this.http = Http1Client.builder()
                .connectTimeout(config.connectTimeout())
                .proxy(Proxy.noProxy())
                .followRedirects(false)
                .sendExpectContinue(false)
                .shareConnectionCache(false)
                .build();
        this.listener = listener;
        this.endpoints =
                config.endpoints().stream().collect(Collectors.toMap(ErpConfig.Endpoint::name, Function.identity()));
        this.signers = config.endpoints().stream()
                .collect(Collectors.toMap(ErpConfig.Endpoint::name, e -> new WebhookSigner(e.secrets())));
        this.inFlight = config.endpoints().stream()
                .collect(Collectors.toMap(ErpConfig.Endpoint::name, e -> new Semaphore(e.maxInFlight())));
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
        Map<Long, List<OutboxRow>> byLease = new TreeMap<>();
        for (OutboxRow m : due) {
            ErpConfig.Endpoint endpoint = endpoints.get(m.endpoint());
            long lease = now
                    + (endpoint == null
                            ? 60_000
                            : lease(endpoint, due.size(), config.connectTimeout())
                                    .toMillis());
            byLease.computeIfAbsent(lease, k -> new ArrayList<>()).add(m);
        }
        List<OutboxRow> claimed = byLease.isEmpty()
                ? List.of()
                : db.write(tx -> {
                    Set<Long> got = new HashSet<>();
                    for (Map.Entry<Long, List<OutboxRow>> e : byLease.entrySet()) {
                        List<Long> ids =
                                e.getValue().stream().map(OutboxRow::outboxId).toList();
                        got.addAll(tx.outbox().claimAll(ids, now, e.getKey()));
                    }
                    return due.stream().filter(m -> got.contains(m.outboxId())).toList();
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
                        List<OutboxAttemptRow> delivered = new ArrayList<>();
                        for (Result r : results) {
                            if (r.endpoint() != null && r.ok()) {
                                delivered.add(attempt(r));
                            } else {
                                record(tx, r);
                            }
                        }
                        tx.outbox().recordAttempts(delivered);
                        tx.outbox().deliveredAll(delivered);
                        return null;
                    });
            results.forEach(this::tell);
        }
        return due.size() == BATCH ? BATCH : sending.size();
    }

    /**
     * How long a replica holds the messages of one pass before another may send them: the endpoint's timeout times
     * (the waves of sends queued ahead + 3) + twice the connect timeout + 5 s. A pass's sends queue behind the
     * endpoint's in-flight limit a wave at a time; the last wave's send may connect, fail without an answer and go
     * once more on a new connection (see {@code deliver}); and a margin covers clocks and the database write. A lease
     * that runs out too early costs a duplicate the ERP drops; one too long only delays what a crashed replica had
     * taken. With the defaults (15 s timeout, 10 s connect timeout) and a pass of up to 16 messages: 70 s.
     * erp-integration.md documents this.
     */
    static Duration lease(ErpConfig.Endpoint endpoint, int passSize, Duration connectTimeout) {
        int wavesAhead = passSize / endpoint.maxInFlight();
        return endpoint.timeout()
                .multipliedBy(wavesAhead + 3L)
                .plus(connectTimeout.multipliedBy(2))
                .plusSeconds(5);
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
            String retryAfter,
            boolean timedOut) {
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
            return new Result(m, null, m.attempts(), start, start, 0, "endpoint not configured", null, false);
        }
        Semaphore gate = inFlight.get(endpoint.name());
        gate.acquireUninterruptibly();
        try {
            return deliver(m, endpoint, attempt, start);
        } finally {
            gate.release();
        }
    }

    private Result deliver(OutboxRow m, ErpConfig.Endpoint endpoint, int attempt, long start) {
        Result r = post(m, endpoint, attempt, start, true);
        if (r.status() == 0 && !r.timedOut()) {
            // A kept-alive connection can die under a request: the ERP (or a balancer before it) closed it as idle
            // just as the request went out, or Helidon's idle-connection monitor raced the checkout
            // (helidon-io/helidon#10861, #12339). The message is idempotent by its webhook-id, so it goes once
            // more at once on a new connection, rather than spending an attempt of the schedule and its backoff.
            String error = r.error();
            Correlation.logged(
                    m.correlationId(),
                    () -> LOG.log(Level.DEBUG, "outbox {0}: {1}; sent again on a new connection", m.outboxId(), error));
            r = post(m, endpoint, attempt, start, false);
        }
        return r;
    }

    /**
     * One request, as a span of the trace of the request that wrote the message (its {@code traceparent}), with the
     * message's correlation id on its log lines; the ERP gets both as headers.
     */
    private Result post(OutboxRow m, ErpConfig.Endpoint endpoint, int attempt, long start, boolean reuse) {
        return telemetry.client(
                "podsync.outbox.send",
                m.traceParent(),
                m.correlationId(),
                traceParent -> post(m, endpoint, attempt, start, reuse, traceParent));
    }

    private Result post(
            OutboxRow m, ErpConfig.Endpoint endpoint, int attempt, long start, boolean reuse, String traceParent) {
        Telemetry.attribute("podsync.endpoint", endpoint.name());
        Telemetry.attribute("podsync.message_id", m.messageId());
        byte[] body = m.payloadJson().getBytes(StandardCharsets.UTF_8);
        long timestamp = start / 1000;
        int status = 0;
        String error = null;
        String retryAfter = null;
        boolean timedOut = false;
        var request = http.post()
                .uri(endpoint.url())
                .keepAlive(reuse)
                .readTimeout(endpoint.timeout())
                .header(HeaderNames.CONTENT_TYPE, ErpEvent.MEDIA_TYPE)
                .header(WEBHOOK_ID, m.messageId())
                .header(WEBHOOK_TIMESTAMP, String.valueOf(timestamp))
                .header(WEBHOOK_SIGNATURE, signers.get(endpoint.name()).signatures(m.messageId(), timestamp, body))
                .header(IDEMPOTENCY_KEY, m.messageId())
                .header(Correlation.HEADER, m.correlationId() == null ? m.messageId() : m.correlationId());
        if (traceParent != null) {
            request.header(TRACEPARENT, traceParent);
        }
        try (HttpClientResponse res = request.submit(body)) {
            status = res.status().code();
            retryAfter = res.headers().first(HeaderNames.RETRY_AFTER).orElse(null);
            if (status >= 300) {
                error = head(res.inputStream());
            }
        } catch (UncheckedIOException e) {
            timedOut = e.getCause() instanceof SocketTimeoutException;
            error = timedOut
                    ? "timed out after " + endpoint.timeout()
                    : "no answer: " + abbreviate(describe(e.getCause()));
        } catch (RuntimeException e) { // Helidon reports a refused or reset connection in several ways
            error = "no answer: " + abbreviate(describe(e));
        }
        Telemetry.attribute("http.response.status_code", status);
        return new Result(m, endpoint, attempt, start, clock.millis(), status, error, retryAfter, timedOut);
    }

    private void record(io.podsync.storage.Tx tx, Result r) {
        OutboxRow m = r.message();
        if (r.endpoint() == null) {
            tx.outbox().setStatus(m.outboxId(), OutboxStatus.HELD.wire(), m.attempts(), null, r.error());
            return;
        }
        long now = r.end();
        Integer status = r.status() == 0 ? null : r.status();
        tx.outbox().recordAttempt(attempt(r));
        if (r.ok()) {
            tx.outbox().delivered(m.outboxId(), r.attempt(), r.status(), now);
        } else if (r.status() == 410) {
            tx.outbox().setStatus(m.outboxId(), OutboxStatus.HELD.wire(), r.attempt(), status, r.error());
            tx.outbox().disable(r.endpoint().name(), "answered 410 Gone", now);
            tx.outbox()
                    .setStatusOfEndpoint(
                            r.endpoint().name(), OutboxStatus.PENDING.wire(), OutboxStatus.HELD.wire(), now);
        } else if (r.isDead(config.schedule().size())) {
            tx.outbox().setStatus(m.outboxId(), OutboxStatus.DEAD.wire(), r.attempt(), status, r.error());
        } else {
            long next = now + jittered(config.schedule().get(r.attempt()));
            if (r.status() == 429 || r.status() == 503) {
                next = Math.max(next, now + retryAfterMillis(r.retryAfter(), now));
            }
            tx.outbox().reschedule(m.outboxId(), r.attempt(), next, status, r.error());
        }
    }

    private static OutboxAttemptRow attempt(Result r) {
        return new OutboxAttemptRow(
                r.message().outboxId(), r.attempt(), r.start(), r.status(), r.error(), r.end() - r.start());
    }

    private void tell(Result r) {
        if (r.endpoint() == null) {
            return;
        }
        if (r.ok()) {
            listener.delivered(r.message(), r.end());
            return;
        }
        listener.failedAttempt(r.status());
        if (r.isDead(config.schedule().size())) {
            listener.dead(r.message().type());
            Correlation.logged(
                    r.message().correlationId(),
                    () -> LOG.log(
                            Level.WARNING,
                            "ERP message " + r.message().messageId() + " to "
                                    + r.endpoint().name() + " is dead after " + r.attempt() + " attempts"));
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

    /**
     * How long an ERP's {@code Retry-After} (seconds, or an HTTP date read against {@code now}, the dispatcher's clock)
     * asks to wait: 0 when absent or unreadable, at most a day.
     */
    static long retryAfterMillis(String header, long now) {
        if (header == null) {
            return 0;
        }
        long wait;
        try {
            long seconds = Long.parseLong(header.trim());
            wait = seconds > MAX_RETRY_AFTER.toSeconds() ? Long.MAX_VALUE : seconds * 1000;
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                wait = at.toInstant().toEpochMilli() - now;
            } catch (java.time.format.DateTimeParseException | ArithmeticException e2) {
                return 0;
            }
        }
        return Math.max(0, Math.min(MAX_RETRY_AFTER.toMillis(), wait));
    }

    /** For the attempt's history: the message, or the kind of failure where there is none (an end of stream). */
    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The start of an error body, for the attempt history; the rest is not read. */
    private static String head(InputStream in) {
        try (in) {
            return abbreviate(new String(in.readNBytes(300), StandardCharsets.UTF_8));
        } catch (java.io.IOException | RuntimeException e) {
            return null;
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
