package io.podsync.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.opentelemetry.api.OpenTelemetry;
import io.podsync.protocol.DeviceCredentials;
import io.podsync.protocol.StopStateView;
import io.podsync.protocol.client.PodsyncClient;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.auth.KeyEncryption;
import io.podsync.storage.artifact.S3ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** A real server on a free port over a real SQLite file, with known ERP and ops clients. */
final class TestServer implements AutoCloseable {
    static final String ERP_SECRET = "erp-test-secret-0123456789";
    static final String OPS_SECRET = "ops-test-secret-0123456789";

    private final PodsyncServer server;
    private final Path dir;
    private final Map<String, String> overrides;
    private final HttpClient http = HttpClient.newHttpClient();

    private TestServer(PodsyncServer server, Path dir, Map<String, String> overrides) {
        this.server = server;
        this.dir = dir;
        this.overrides = overrides;
    }

    static TestServer start(Path dir) {
        return start(dir, Map.of());
    }

    static TestServer start(Path dir, Map<String, String> overrides) {
        return start(dir, overrides, Clock.systemUTC());
    }

    static TestServer start(Path dir, Map<String, String> overrides, Clock clock) {
        return start(dir, overrides, clock, null);
    }

    /** With spans going to {@code otel} (an in-memory exporter), whatever {@code podsync.tracing} says. */
    static TestServer start(Path dir, Map<String, String> overrides, Clock clock, OpenTelemetry otel) {
        return new TestServer(PodsyncServer.start(config(dir, overrides), clock, otel), dir, overrides);
    }

    /** Both sets of settings (the second wins). */
    static Map<String, String> with(Map<String, String> first, Map<String, String> second) {
        Map<String, String> m = new HashMap<>(first);
        m.putAll(second);
        return m;
    }

    /**
     * An ERP endpoint (number {@code index} of {@code podsync.erp.endpoints}) with a 1 s timeout, subscribed to these
     * CloudEvent types (none: the default, proof of delivery only).
     */
    static Map<String, String> erpEndpoint(int index, String name, URI url, List<String> secrets, List<String> types) {
        String at = "podsync.erp.endpoints." + index + ".";
        Map<String, String> c = new HashMap<>();
        c.put(at + "name", name);
        c.put(at + "url", url.toString());
        for (int i = 0; i < secrets.size(); i++) {
            c.put(at + "secrets." + i, secrets.get(i));
        }
        for (int i = 0; i < types.size(); i++) {
            c.put(at + "types." + i, types.get(i));
        }
        c.put(at + "timeout", "PT1S");
        return c;
    }

    /**
     * A server on these database settings with one ERP endpoint, {@code erp}, at {@code url} (proof of delivery only)
     * and {@link #fastErp} retries.
     */
    static Map<String, String> withErp(Map<String, String> db, URI url, String secret) {
        Map<String, String> c = new HashMap<>(db);
        c.putAll(erpEndpoint(0, "erp", url, List.of(secret), List.of()));
        c.putAll(fastErp());
        return c;
    }

    /** Retries every 0.1 s (five attempts), a dispatcher that looks every 50 ms, and 1 s to connect. */
    static Map<String, String> fastErp() {
        Map<String, String> c = new HashMap<>();
        c.put("podsync.erp.retry-schedule.0", "PT0S");
        for (int i = 1; i <= 4; i++) {
            c.put("podsync.erp.retry-schedule." + i, "PT0.1S");
        }
        c.put("podsync.erp.poll-interval", "PT0.05S");
        // Part of every lease: a restart on PostgreSQL (which cannot tell a crashed replica's lease from a live one's)
        // waits for the lease to run out.
        c.put("podsync.erp.connect-timeout", "PT1S");
        return c;
    }

    static Config config(Path dir, Map<String, String> overrides) {
        Map<String, String> m = new HashMap<>();
        m.put("server.port", "0");
        m.put("server.host", "127.0.0.1");
        m.put("podsync.data-dir", dir.toString());
        m.put(
                "podsync.logging.access-log",
                "false"); // thousands of requests per test class: LogsAndTracesTest checks it
        m.put("podsync.auth.clients.0.id", "erp");
        m.put("podsync.auth.clients.0.secret", ERP_SECRET);
        m.put("podsync.auth.clients.0.scopes.0", "erp");
        m.put("podsync.auth.clients.1.id", "ops");
        m.put("podsync.auth.clients.1.secret", OPS_SECRET);
        m.put("podsync.auth.clients.1.scopes.0", "ops");
        m.putAll(overrides);
        return Config.just(ConfigSources.create(m));
    }

    /** Settings for evidence in the S3 server {@code s3} (S3Proxy), bucket {@code podsync-evidence}. */
    static Map<String, String> s3Store(S3ProxyServer s3) {
        return s3Store(s3.endpoint());
    }

    /** Settings for evidence in bucket {@code podsync-evidence} of S3Proxy reached at {@code endpoint}. */
    static Map<String, String> s3Store(java.net.URI endpoint) {
        return Map.of(
                "podsync.artifacts.store",
                "s3",
                "podsync.artifacts.s3.endpoint",
                endpoint.toString(),
                "podsync.artifacts.s3.bucket",
                "podsync-evidence",
                "podsync.artifacts.s3.access-key",
                S3ProxyServer.ACCESS_KEY,
                "podsync.artifacts.s3.secret-key",
                S3ProxyServer.SECRET_KEY);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    PodsyncServer server() {
        return server;
    }

    Path dir() {
        return dir;
    }

    /** The key-encryption key the server seals its secrets with: configured, or generated beside its SQLite file. */
    KeyEncryption kek() {
        String configured = overrides.get("podsync.keys.encryption-key");
        return configured != null
                ? KeyEncryption.parse(configured, "test")
                : KeyEncryption.fromFile(dir.resolve("podsync.key"), "test");
    }

    PodsyncClient erp() {
        return new PodsyncClient(uri()).useClient("erp", ERP_SECRET);
    }

    PodsyncClient ops() {
        return new PodsyncClient(uri()).useClient("ops", OPS_SECRET);
    }

    /** Enrolls a new device for the driver and returns a client acting as it. */
    Device device(String driverId) {
        String code = erp().createEnrollment(driverId).code();
        PodsyncClient c = new PodsyncClient(uri());
        DeviceCredentials creds = c.enroll(code, "test-" + UUID.randomUUID(), "test", "1.0");
        return new Device(c, creds);
    }

    record Device(PodsyncClient client, DeviceCredentials credentials) {
        String token() {
            return credentials.token().accessToken();
        }

        String id() {
            return credentials.deviceId();
        }
    }

    /** A raw request, for what the reference client would never send. */
    HttpResponse<String> send(String method, String path, String contentType, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri().resolve(path));
        if (token != null) {
            b.header("Authorization", token.startsWith("Basic ") ? token : "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> postJson(String path, String body, String token) {
        return send("POST", path, "application/json", body, token);
    }

    /** The ERP outbox as operations list it: {@code GET /v1/ops/outbox} with the query (e.g. {@code ?status=dead}). */
    JsonNode outbox(String query) {
        return ProtocolJson.read(
                send(
                                "GET",
                                "/v1/ops/outbox" + query,
                                null,
                                null,
                                ops().authenticate().accessToken())
                        .body(),
                JsonNode.class);
    }

    /** A stop's derived state, as the ERP reads it with its route. */
    StopStateView stopState(String routeId, String stopId) {
        return erp().route(routeId).states().stream()
                .filter(s -> s.stopId().equals(stopId))
                .findFirst()
                .orElseThrow();
    }

    /** Polls until the condition holds, for what the server does in the background (the ERP outbox); 30 s at most. */
    static void await(BooleanSupplier condition, String what) {
        Await.until(condition, what);
    }

    @Override
    public void close() {
        server.close();
    }
}
