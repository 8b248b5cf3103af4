package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.json.ProtocolJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed sign-ins are slowed down per caller address and per API client; correct ones never are. */
class LoginThrottleTest {
    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock();
    TestServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        // 127.0.0.1 plays a load balancer here, so X-Forwarded-For can name the callers
        server = TestServer.start(dir, Map.of("podsync.http.trusted-proxies.0", "127.0.0.0/8"), clock);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String path, String body, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> token(String clientId, String secret, String from) throws Exception {
        return post(
                "/v1/auth/token",
                "{\"grantType\":\"client_credentials\",\"clientId\":\"%s\",\"clientSecret\":\"%s\"}"
                        .formatted(clientId, secret),
                from);
    }

    private static void tooMany(HttpResponse<String> r) {
        assertEquals(429, r.statusCode(), r.body());
        assertEquals(
                "too_many_attempts",
                ProtocolJson.read(r.body(), JsonNode.class).get("code").asText());
        assertTrue(Long.parseLong(r.headers().firstValue("retry-after").orElseThrow()) >= 1);
    }

    @Test
    void anAddressThatKeepsGuessingIsRefusedEvenWithTheRightSecretUntilItWaits() throws Exception {
        for (int i = 0; i < 50; i++) { // unknown client ids: the address's own bucket, five times a client's
            assertEquals(401, token("nobody-" + i, "wrong-" + i, "203.0.113.7").statusCode());
        }
        tooMany(token("erp", TestServer.ERP_SECRET, "203.0.113.7"));
        assertEquals(200, token("erp", TestServer.ERP_SECRET, "203.0.113.8").statusCode(), "another address");
        clock.advance(Duration.ofSeconds(6));
        assertEquals(200, token("erp", TestServer.ERP_SECRET, "203.0.113.7").statusCode(), "one attempt back");
    }

    @Test
    void guessingOneClientFromAnAddressLocksThatPairOnly() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(401, token("erp", "wrong-secret-" + i, "198.51.100.1").statusCode());
        }
        tooMany(token("erp", TestServer.ERP_SECRET, "198.51.100.1"));
        assertEquals(200, token("ops", TestServer.OPS_SECRET, "198.51.100.1").statusCode(), "another client");
        assertEquals(200, token("erp", TestServer.ERP_SECRET, "198.51.100.2").statusCode(), "the real ERP elsewhere");
        clock.advance(Duration.ofMinutes(1));
        assertEquals(200, token("erp", TestServer.ERP_SECRET, "198.51.100.1").statusCode());
    }

    /** The bootstrap ids are public: guesses for one from everywhere must not lock the real client out. */
    @Test
    void theRealClientIsNeverLockedOutByGuessesFromElsewhere() throws Exception {
        for (int a = 0; a < 30; a++) {
            for (int i = 0; i < 10; i++) {
                token("erp", "wrong-" + i, "192.0.2." + a);
            }
        }
        assertEquals(200, token("erp", TestServer.ERP_SECRET, "192.0.2.200").statusCode());
    }

    /** Concurrent guesses each take their attempt before the check: no more than the limit get through. */
    @Test
    void concurrentGuessesCannotSlipPastTheLimit() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                answers.add(pool.submit(
                        () -> token("ops", "wrong-" + n, "198.51.100.77").statusCode()));
            }
            int unauthorized = 0;
            for (var f : answers) {
                int status = f.get();
                assertTrue(status == 401 || status == 429, "status " + status);
                unauthorized += status == 401 ? 1 : 0;
            }
            assertEquals(10, unauthorized, "exactly the client's allowance was checked");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void guessingEnrollmentCodesIsRefusedToo() throws Exception {
        for (int i = 0; i < 50; i++) {
            assertEquals(
                    401,
                    post("/v1/auth/enroll", "{\"enrollmentCode\":\"AAAA-BBBB-C" + i + "\"}", "192.0.2.1")
                            .statusCode());
        }
        String code = server.erp().createEnrollment("DT").code();
        tooMany(post("/v1/auth/enroll", "{\"enrollmentCode\":\"" + code + "\"}", "192.0.2.1"));
        assertEquals(
                201,
                post("/v1/auth/enroll", "{\"enrollmentCode\":\"" + code + "\"}", "192.0.2.2")
                        .statusCode());
    }

    @Test
    void correctSignInsAreNeverSlowedDown() throws Exception {
        for (int i = 0; i < 50; i++) {
            assertEquals(200, token("erp", TestServer.ERP_SECRET, "192.0.2.50").statusCode());
        }
    }

    @Test
    void anUntrustedPeerCannotNameAnotherAddress() throws Exception {
        server.close();
        server = TestServer.start(dir, Map.of(), clock); // no trusted proxy: X-Forwarded-For is ignored
        for (int i = 0; i < 10; i++) {
            assertEquals(401, token("ops", "wrong", "10.0.0." + i).statusCode());
        }
        tooMany(token("ops", TestServer.OPS_SECRET, "10.0.0.99"));
    }
}
