package io.podsync.simulator.erp;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.podsync.protocol.json.ProtocolJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reference ERP receiver: takes the proof-of-delivery confirmations podsync sends to {@code POST /webhooks/pod}
 * and records them. Testers and CI use it to watch deliveries arrive and to make the ERP misbehave (see
 * {@link Behavior}); ERP integrators can read it as the model of a correct receiver, which does four things in order:
 *
 * <ol>
 *   <li><b>Verify</b> the Standard Webhooks signature over the <em>raw</em> body bytes, before parsing anything, and
 *       refuse a stale or future timestamp (401). Parsing first and re-serializing would change the bytes and break
 *       the signature; skipping the timestamp check lets anyone who saw one request replay it.
 *   <li><b>De-duplicate</b> by the {@code webhook-id} header. The sender delivers at least once: a confirmation whose
 *       2xx got lost is sent again, with the same {@code webhook-id} but a new timestamp and signature. A duplicate is
 *       answered 2xx again (so the sender stops) but not applied twice. A real ERP keeps the ids for longer than the
 *       sender retries, and stores the id in the same transaction as the effect. (The CloudEvent {@code id} is not
 *       the key here: the header is what Standard Webhooks defines as stable across attempts.)
 *   <li><b>Record</b> the event durably before answering: a 2xx is the ERP's promise that it has the confirmation.
 *   <li><b>Answer 2xx fast</b>: do the slow work (posting invoices, notifying customers) after answering, or the sender
 *       times out and retries something that was in fact done. For backpressure answer 429 or 503 with
 *       {@code Retry-After}; answer 410 only to unsubscribe for good.
 * </ol>
 *
 * <p>Also {@code GET /webhooks/pod/deliveries} lists what was recorded as JSON, and {@code GET /health} answers ok.
 * It binds to 127.0.0.1 only and keeps everything in memory: it is a test double and a model, not a production ERP.
 * The body is limited to 1 MiB (413). Up to {@link #MAX_DISCARD_BYTES} of a refused body are read and thrown away
 * so that the sender, still writing, can read the 413; a longer one has its connection closed.
 */
public final class ErpReceiver implements AutoCloseable {
    public static final String PATH = "/webhooks/pod";
    public static final String DELIVERIES_PATH = PATH + "/deliveries";
    public static final int MAX_BODY_BYTES = 1 << 20;
    /**
     * How much of a refused body is read and dropped before the 413 goes out. Closing a socket with unread bytes in
     * its receive buffer makes TCP send a reset, and the reset can destroy the 413 before the sender has read it (the
     * sender then sees "connection reset" and retries blindly). Tomcat's maxSwallowSize does the same, for the same
     * reason.
     */
    public static final long MAX_DISCARD_BYTES = 4L << 20;

    /** Told about every outcome, for the CLI's log. Called on the request's thread; it must be quick. */
    public interface Listener {
        /** A new delivery was recorded. Called in recording order. */
        default void delivered(Delivery delivery) {}

        /** A signed request repeated a webhook-id that was already recorded; it was answered 200 and not recorded. */
        default void duplicate(String webhookId, int attemptsSeen) {}

        /** A signed request was failed on purpose by the {@link Behavior}. */
        default void simulatedFailure(String webhookId, int status) {}

        /** A request was refused: bad signature, stale timestamp, oversize or malformed body. */
        default void rejected(int status, String reason) {}
    }

    // The two answers nearly every delivery gets, serialized once.
    private static final Map<String, Object> RECORDED = Map.of("status", "recorded");

    private static final Map<String, Object> DUPLICATE = Map.of("status", "duplicate");
    private static final byte[] RECORDED_JSON = ProtocolJson.toBytes(RECORDED);
    private static final byte[] DUPLICATE_JSON = ProtocolJson.toBytes(DUPLICATE);

    /** A reply computed while handling, sent after the behaviour's delay or hang. */
    private record Reply(int status, Map<String, Object> body, Map<String, String> headers, Duration hold) {
        static Reply of(int status, Map<String, Object> body) {
            return new Reply(status, body, Map.of(), Duration.ZERO);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final WebhookVerifier verifier;
    private final Clock clock;
    private final Listener listener;
    private final Behavior behavior = new Behavior();
    private final AtomicInteger rejected = new AtomicInteger();

    // Dedupe and record must be one step: two concurrent copies of a delivery must not both be recorded.
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final Set<String> recorded = new HashSet<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private int duplicates;

    private ErpReceiver(
            HttpServer server, ExecutorService executor, WebhookVerifier verifier, Clock clock, Listener l) {
        this.server = server;
        this.executor = executor;
        this.verifier = verifier;
        this.clock = clock;
        this.listener = l;
    }

    /**
     * Starts a receiver on 127.0.0.1.
     *
     * @param port the port, or 0 for a free one (see {@link #url()})
     * @param secrets the signing secrets, {@code whsec_<base64>}; more than one during a rotation
     * @param clock the clock the signature timestamps are checked against
     */
    public static ErpReceiver start(int port, List<String> secrets, Clock clock) throws IOException {
        return start(port, secrets, clock, new Listener() {});
    }

    /** As {@link #start(int, List, Clock)}, telling {@code listener} about every outcome as it happens. */
    public static ErpReceiver start(int port, List<String> secrets, Clock clock, Listener listener) throws IOException {
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm on, the body waits
        // for the client's delayed ACK (up to 40 ms a request). Read once, when the server classes load.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        WebhookVerifier verifier = new WebhookVerifier(secrets, clock);
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 1024);
        // A deep accept backlog: with the default, a burst of connections loses SYNs and each waits a second.
        // One virtual thread per request: a hanging request must not hold up the others.
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        ErpReceiver receiver = new ErpReceiver(server, executor, verifier, clock, listener);
        // Contexts match by prefix, so each handler also checks that the path is exactly its own.
        server.createContext(PATH, ex -> receiver.handle(ex, PATH, "POST", receiver::receive));
        server.createContext(DELIVERIES_PATH, ex -> receiver.handle(ex, DELIVERIES_PATH, "GET", receiver::list));
        server.createContext(
                "/health", ex -> receiver.handle(ex, "/health", "GET", e -> Reply.of(200, Map.of("status", "ok"))));
        server.start();
        return receiver;
    }

    /** The URL to configure as the webhook endpoint: {@code http://127.0.0.1:<port>/webhooks/pod}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port() + PATH);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** How many distinct deliveries were recorded; cheap enough to poll while a backlog drains. */
    public int deliveryCount() {
        lock.lock();
        try {
            return deliveries.size();
        } finally {
            lock.unlock();
        }
    }

    /** The recorded deliveries in the order they were recorded, each with its attempts up to now. */
    public List<Delivery> deliveries() {
        lock.lock();
        try {
            return deliveries.stream()
                    .map(d -> d.withAttempts(attempts.get(d.webhookId())))
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    /** Signed requests for a webhook-id that was already recorded: answered 200, not recorded again. */
    public int duplicates() {
        lock.lock();
        try {
            return duplicates;
        } finally {
            lock.unlock();
        }
    }

    /** Requests refused for their own fault (401, 400, 413, 415); not those failed on purpose by the behaviour. */
    public int rejected() {
        return rejected.get();
    }

    /** The misbehaviour to apply, changeable at any time. */
    public Behavior behavior() {
        return behavior;
    }

    /** Stops at once; requests still hanging are interrupted and never answered. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private interface Route {
        Reply reply(HttpExchange exchange) throws IOException;
    }

    private void handle(HttpExchange exchange, String path, String method, Route route) {
        try {
            Reply reply;
            if (!exchange.getRequestURI().getPath().equals(path)) {
                reply = Reply.of(404, Map.of("error", "not_found"));
            } else if (!exchange.getRequestMethod().equals(method)) {
                reply = new Reply(405, Map.of("error", "method_not_allowed"), Map.of("Allow", method), Duration.ZERO);
            } else {
                reply = route.reply(exchange);
            }
            if (path.equals(PATH) && !hold(behavior.delay().plus(reply.hold()))) {
                return; // closing: the sender sees the connection drop, as from a crashed ERP
            }
            send(exchange, reply);
        } catch (IOException e) {
            // The client went away (a timeout while we hung, say): nothing to answer.
        } catch (RuntimeException e) {
            try {
                send(exchange, Reply.of(500, Map.of("error", "internal_error")));
            } catch (IOException | RuntimeException ignored) {
                // the headers may already be out; the client sees a broken response either way
            }
        } finally {
            exchange.close();
        }
    }

    private Reply receive(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && isOverLimit(length)) {
            // Refused before anything is kept: the bytes are only discarded, and only up to a bound.
            discard(exchange.getRequestBody());
            return reject(413, "body_too_large", null);
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                discard(in);
                return reject(413, "body_too_large", null);
            }
        }
        var headers = exchange.getRequestHeaders();
        String id = headers.getFirst("webhook-id");
        List<String> signatures = headers.get("webhook-signature");
        Optional<WebhookVerifier.Reason> refused = verifier.verify(
                id,
                headers.getFirst("webhook-timestamp"),
                signatures == null ? null : String.join(" ", signatures),
                body);
        if (refused.isPresent()) {
            return reject(401, refused.get().code(), null);
        }
        if (!CloudEvents.isStructured(headers.getFirst("Content-Type"))) {
            return reject(415, "unsupported_media_type", "expected " + CloudEvents.MEDIA_TYPE);
        }
        JsonNode event;
        try {
            event = ProtocolJson.mapper().readTree(body);
        } catch (IOException e) {
            return reject(400, "invalid_json", null);
        }
        String problem = CloudEvents.problem(event);
        if (problem != null) {
            return reject(400, "invalid_cloudevent", problem);
        }
        return accept(id, event);
    }

    private Reply accept(String id, JsonNode event) {
        Behavior.Plan plan = behavior.next();
        if (plan.failStatus() != 0) {
            countAttempt(id);
            listener.simulatedFailure(id, plan.failStatus());
            Map<String, String> headers =
                    plan.failStatus() == 503 || plan.failStatus() == 429 ? Map.of("Retry-After", "1") : Map.of();
            return new Reply(plan.failStatus(), Map.of("error", "simulated_failure"), headers, plan.hold());
        }
        lock.lock();
        try {
            int seen = countAttempt(id);
            if (!recorded.add(id)) {
                duplicates++;
                listener.duplicate(id, seen);
                return new Reply(200, DUPLICATE, Map.of(), plan.hold());
            }
            JsonNode data = event.get("data");
            Delivery d = new Delivery(
                    id,
                    CloudEvents.text(event, "type"),
                    CloudEvents.text(event, "subject"),
                    data,
                    event,
                    clock.instant(),
                    seen);
            deliveries.add(d);
            listener.delivered(d);
            return new Reply(200, RECORDED, Map.of(), plan.hold());
        } finally {
            lock.unlock();
        }
    }

    private int countAttempt(String id) {
        lock.lock();
        try {
            return attempts.merge(id, 1, Integer::sum);
        } finally {
            lock.unlock();
        }
    }

    private Reply reject(int status, String reason, String detail) {
        rejected.incrementAndGet();
        listener.rejected(status, detail == null ? reason : reason + ": " + detail);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", reason);
        if (detail != null) {
            body.put("detail", detail);
        }
        return Reply.of(status, body);
    }

    private Reply list(HttpExchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deliveries", deliveries());
        body.put("duplicates", duplicates());
        body.put("rejected", rejected());
        return Reply.of(200, body);
    }

    /** Reads and drops at most {@link #MAX_DISCARD_BYTES}; what is left, if any, goes with the connection. */
    private static void discard(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = MAX_DISCARD_BYTES;
        int n;
        while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
            left -= n;
        }
    }

    private static boolean isOverLimit(String contentLength) {
        try {
            return Long.parseLong(contentLength.trim()) > MAX_BODY_BYTES;
        } catch (NumberFormatException e) {
            return false; // the server itself refuses a malformed length before we get here
        }
    }

    /** Sleeps; false when interrupted, which only {@link #close()} does. */
    private static boolean hold(Duration duration) {
        if (duration.isZero()) {
            return true;
        }
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = reply.body() == RECORDED
                ? RECORDED_JSON
                : reply.body() == DUPLICATE ? DUPLICATE_JSON : ProtocolJson.toBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
