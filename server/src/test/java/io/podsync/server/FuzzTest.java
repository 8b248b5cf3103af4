package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podsync.protocol.EventType;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.PushRequest;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.simulator.erp.Delivery;
import io.podsync.simulator.erp.ErpReceiver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded generator of mutated push, pull, upload, release, ops and sign-in requests against a real server over raw
 * sockets. Every answer must be below 500, carry no stack trace or exception name, and be the only answer on its
 * connection (a health probe sent after each request must come back as the next answer); and the control data made
 * before (a route of another driver, its pull, an artifact's bytes, the ERP's records of it) must be unchanged after.
 *
 * <p>{@code -Dpodsync.fuzz.seed=N} replays a run, {@code -Dpodsync.fuzz.requests=N} sets its length (a few thousand
 * here; {@code deploy/fuzz.sh} runs long ones). A failure names the seed, the request number and the request.
 */
class FuzzTest {
    private static final String SECRET =
            "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
    private static final long SEED = Long.getLong("podsync.fuzz.seed", 20261207L);
    private static final int REQUESTS = Integer.getInteger("podsync.fuzz.requests", 3000);

    @TempDir
    static Path dir;

    static ErpReceiver erp;
    static TestServer server;
    static String erpToken;
    static String opsToken;
    static String driverToken;
    static String controlDriverToken;
    static String controlSha;
    static byte[] controlPhoto;
    static Snapshot before;

    /** What must not change: the control route as the ERP reads it, its driver's pull, its photo, the ERP's records. */
    record Snapshot(String route, String pull, byte[] photo, List<String> erpRecords) {}

    @BeforeAll
    static void start() throws Exception {
        erp = ErpReceiver.start(0, List.of(SECRET), Clock.systemUTC());
        Map<String, String> c = new HashMap<>();
        c.put("podsync.erp.endpoints.0.name", "fuzz-erp");
        c.put("podsync.erp.endpoints.0.url", erp.url().toString());
        c.put("podsync.erp.endpoints.0.secrets.0", SECRET);
        c.put("podsync.erp.poll-interval", "PT0.05S");
        c.put("podsync.uploads.max-bytes", "200000");
        server = TestServer.start(dir, c);
        // the control data: route RC of driver DC, delivered with a photo, confirmed to the ERP
        server.erp().releaseRoute("RC", Fixtures.route("RC", "DC", 2));
        TestServer.Device control = server.device("DC");
        controlPhoto = photo(4000, 1);
        controlSha = control.client()
                .upload(controlPhoto, "image/jpeg", EvidenceKind.PHOTO, 1500, 0)
                .sha256();
        control.client()
                .push(new PushRequest(
                        Instant.now(),
                        List.of(
                                Fixtures.arrived(1, "RC-S1", Instant.now().minusSeconds(60)),
                                Fixtures.event(
                                        UUID.randomUUID().toString(),
                                        2,
                                        EventType.DELIVERED,
                                        "RC-S1",
                                        Instant.now().minusSeconds(30),
                                        Fixtures.fullDelivery("RC-O1")
                                                .withEvidence(List.of(new io.podsync.protocol.EvidenceRef(
                                                        controlSha, EvidenceKind.PHOTO, "image/jpeg")))))));
        TestServer.await(() -> erp.deliveryCount() == 1, "the control delivery at the ERP");
        controlDriverToken = control.token();
        // the fuzzer's own: route RF of driver DF, and the tokens it signs its requests with
        server.erp().releaseRoute("RF", Fixtures.route("RF", "DF", 3));
        driverToken = server.device("DF").token();
        erpToken = server.erp().authenticate().accessToken();
        opsToken = server.ops().authenticate().accessToken();
        before = snapshot();
    }

    @AfterAll
    static void stop() {
        server.close();
        erp.close();
    }

    static byte[] photo(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        b[2] = (byte) 0xFF;
        return b;
    }

    static Snapshot snapshot() {
        String route = server.send("GET", "/v1/routes/RC", null, null, opsToken).body();
        String pull = ProtocolJson.read(
                        server.send("GET", "/v1/sync/pull?limit=1000", null, null, controlDriverToken)
                                .body(),
                        JsonNode.class)
                .get("changes")
                .toString();
        List<String> records = new ArrayList<>();
        for (Delivery d : erp.deliveries()) {
            if (d.data() != null && "RC".equals(d.data().path("routeId").asText())) {
                records.add(d.webhookId() + " " + d.data());
            }
        }
        return new Snapshot(route, pull, download(controlSha), records);
    }

    /** With the token taken before: the fuzzer's failed sign-ins leave 127.0.0.1 no attempts to get another. */
    static byte[] download(String sha) {
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(server.uri().resolve("/v1/artifacts/" + sha))
                                    .header("Authorization", "Bearer " + opsToken)
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                    .body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void mutatedRequestsNeverGetA5xxAStackTraceOrASecondAnswerAndChangeNothingTheyMayNot() {
        Random r = new Random(SEED);
        Fuzzer f = new Fuzzer(r);
        RawHttp c = null;
        for (int i = 0; i < REQUESTS; i++) {
            byte[] request = f.next();
            String shown = new String(request, 0, Math.min(request.length, 600), StandardCharsets.ISO_8859_1);
            String where = "seed " + SEED + ", request " + i + ":\n" + shown;
            if (c == null) {
                c = new RawHttp(server.server().port());
            }
            c.send(request);
            RawHttp.Answer a;
            try {
                a = c.read(shown.startsWith("HEAD "));
                if (a.status() == 100) { // asked for the body it had already been sent: the final answer follows
                    a = c.read(shown.startsWith("HEAD "));
                }
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("no answer to " + where, e);
            }
            check(a, where);
            if (a.header("connection").filter(v -> v.equalsIgnoreCase("close")).isPresent()) {
                c.close();
                c = null;
                continue;
            }
            // the next answer on this connection must be the probe's
            c.send("GET /health/live HTTP/1.1\r\nHost: fuzz\r\n\r\n");
            RawHttp.Answer probe = c.read();
            assertTrue(
                    probe.status() == 200 && probe.text().contains("UP"),
                    "a second answer after " + where + "\ngot: " + probe.status() + " " + probe.text());
        }
        if (c != null) {
            c.close();
        }
        Snapshot after = snapshot();
        assertEquals(before.route(), after.route(), "the control route changed");
        assertEquals(before.pull(), after.pull(), "the control driver's pull changed");
        assertArrayEquals(before.photo(), after.photo(), "the control photo changed");
        assertEquals(before.erpRecords(), after.erpRecords(), "the ERP's records of the control route changed");
    }

    private static void check(RawHttp.Answer a, String where) {
        assertTrue(a.status() < 500, a.status() + " for " + where + "\n" + a.text());
        String body = a.text();
        assertTrue(
                !body.contains("Exception") && !body.contains("\tat ") && !body.contains(".java:"),
                "internals in the answer to " + where + "\n" + body);
        if (a.status() >= 400) {
            String type = a.header("content-type").orElse("");
            assertTrue(
                    type.equals("application/problem+json") || body.isEmpty(),
                    "not a problem document (" + type + ") for " + where + "\n" + body);
        }
    }

    /** Makes one request at a time: a template of a kind, its JSON mutated, sometimes its bytes or headers. */
    static final class Fuzzer {
        private final Random r;
        private final JsonNodeFactory nodes = JsonNodeFactory.instance;
        private final List<Supplier<byte[]>> kinds = new ArrayList<>();
        private long seq = 1;

        Fuzzer(Random r) {
            this.r = r;
            kinds.add(this::push);
            kinds.add(this::push);
            kinds.add(this::push);
            kinds.add(this::pull);
            kinds.add(this::release);
            kinds.add(this::release);
            kinds.add(this::uploadDeclare);
            kinds.add(this::uploadChunk);
            kinds.add(this::ops);
            kinds.add(this::signIn);
            kinds.add(this::raw);
        }

        byte[] next() {
            return kinds.get(r.nextInt(kinds.size())).get();
        }

        // --- the templates -------------------------------------------------------------------------------------

        private byte[] push() {
            ObjectNode body = nodes.objectNode();
            body.put("sentAt", Instant.now().toString());
            ArrayNode events = body.putArray("events");
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                ObjectNode e = events.addObject();
                e.put("idempotencyKey", UUID.randomUUID().toString());
                e.put("seq", seq++);
                e.put("type", pick("arrived", "delivered", "partially_delivered", "failed", "note", "departed"));
                e.put("stopId", pick("RF-S1", "RF-S2", "RF-S3", "RC-S2")); // RC-S2: another driver's
                e.put("attempt", 1);
                e.put("capturedAt", Instant.now().minusSeconds(r.nextInt(600)).toString());
                ObjectNode p = e.putObject("payload");
                ArrayNode lines = p.putArray("lines");
                ObjectNode l = lines.addObject();
                l.put("orderId", e.get("stopId").asText().replace("S", "O"));
                l.put("lineId", "L1");
                l.put("delivered", 4);
                ObjectNode loc = p.putObject("location");
                loc.put("lat", Fixtures.BASE_LAT + 0.01);
                loc.put("lon", Fixtures.BASE_LON);
                loc.put("accuracyMeters", 8);
                p.put("reasonCode", pick("NO_ONE_HOME", "damaged", "REFUSED", "??"));
                p.put("note", "fuzz");
            }
            return request("POST", "/v1/sync/push", driverToken, mutate(body));
        }

        private byte[] pull() {
            String cursor = r.nextBoolean() ? "" : "cursor=" + garbageText(r.nextInt(3) == 0 ? 3000 : 40) + "&";
            String limit = pick("1", "200", "1000", "1001", "0", "-5", "x", "99999999999999999999");
            return request("GET", "/v1/sync/pull?" + cursor + "limit=" + limit, driverToken, null);
        }

        private byte[] release() {
            ObjectNode body = (ObjectNode) ProtocolJson.tree(Fixtures.route("RF", "DF", 1 + r.nextInt(3)));
            String routeId = "RF" + r.nextInt(5);
            String path = "/v1/routes/" + routeId;
            if (r.nextInt(8) == 0) {
                return request("POST", path + pick("/cancel", "/reassign"), erpToken, mutate(nodes.objectNode()));
            }
            return request("PUT", path, erpToken, mutate(body));
        }

        private byte[] uploadDeclare() {
            ObjectNode body = nodes.objectNode();
            body.put("sha256", hex(64));
            body.put("size", 1 + r.nextInt(300_000));
            body.put("mediaType", pick("image/jpeg", "image/png", "application/pdf", "text/html"));
            body.put("kind", pick("photo", "signature", "document", "selfie"));
            return request("POST", "/v1/uploads", driverToken, mutate(body));
        }

        private byte[] uploadChunk() {
            String id = pick("up-" + hex(8), "up-nope", hex(3), "..%2F..%2Fetc");
            byte[] chunk = new byte[r.nextInt(2000)];
            r.nextBytes(chunk);
            if (r.nextBoolean()) {
                return head("HEAD", "/v1/uploads/" + id, driverToken, Map.of());
            }
            return withBody(
                    "PATCH",
                    "/v1/uploads/" + id,
                    driverToken,
                    Map.of(
                            "Content-Type", pick("application/offset+octet-stream", "application/json"),
                            "Upload-Offset", pick("0", "-1", "12", "x", "999999999999999999999"),
                            "Upload-Checksum", pick("sha256 " + hex(8), "md5 x", "")),
                    chunk);
        }

        private byte[] ops() {
            String id = String.valueOf(1_000_000 + r.nextInt(1000));
            return switch (r.nextInt(8)) {
                case 0 ->
                    request(
                            "GET",
                            "/v1/ops/exceptions?status=" + pick("open", "resolved", "x") + "&limit="
                                    + pick("1", "0", "100000", "a"),
                            opsToken,
                            null);
                case 1 ->
                    request(
                            "POST",
                            "/v1/ops/exceptions/" + pick(id, "x", "-1") + "/resolve",
                            opsToken,
                            mutate((ObjectNode) nodes.objectNode()
                                    .put("resolution", "accepted")
                                    .put("note", "fuzz")));
                case 2 ->
                    request("GET", "/v1/ops/outbox?status=" + pick("dead", "pending", "held", "?"), opsToken, null);
                case 3 -> request("POST", "/v1/ops/outbox/" + pick(id, "abc") + "/replay", opsToken, null);
                case 4 -> request("GET", "/v1/artifacts/" + pick(hex(64), controlSha, "zz"), driverToken, null);
                case 5 -> head("HEAD", pick("/v1/routes/RF0", "/metrics", "/v1/ops/outbox/" + id), opsToken, Map.of());
                case 6 ->
                    request(
                            "POST",
                            "/v1/ops/erp-endpoints/" + pick("fuzz-erp", "nope") + "/recover",
                            opsToken,
                            mutate((ObjectNode) nodes.objectNode().put("since", "2026-01-01T00:00:00Z")));
                default -> request("GET", "/v1/routes/" + pick("RF0", "RF1", "a%00b", "x".repeat(300)), erpToken, null);
            };
        }

        private byte[] signIn() {
            if (r.nextBoolean()) {
                ObjectNode body = nodes.objectNode();
                body.put("grantType", pick("client_credentials", "device_credentials", "password"));
                body.put("clientId", pick("erp", "ops", "dev-" + hex(6)));
                body.put("clientSecret", garbageText(20));
                return request("POST", "/v1/auth/token", null, mutate(body));
            }
            ObjectNode body = nodes.objectNode();
            body.put("enrollmentCode", garbageText(14));
            body.put("deviceName", "fuzz");
            return request("POST", "/v1/auth/enroll", null, mutate(body));
        }

        /** Requests that are barely HTTP: unknown methods, odd paths, long lines, odd headers. */
        private byte[] raw() {
            return switch (r.nextInt(6)) {
                case 0 ->
                    ("GET /" + garbageText(r.nextInt(2) == 0 ? 5000 : 50) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                case 1 ->
                    ("BREW /v1/sync/push HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                case 2 ->
                    ("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Fill: " + "f".repeat(r.nextInt(20_000)) + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                case 3 ->
                    ("GET /health/live HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + garbageText(300) + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
                case 4 ->
                    withBody(
                            "POST",
                            "/v1/sync/push",
                            driverToken,
                            Map.of("Content-Type", "application/json", "Expect", "100-continue"),
                            "GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
                default ->
                    ("GET /v9/sync/pull HTTP/1.1\r\nHost: x\r\nPodsync-Protocol-Version: " + garbageText(10)
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1);
            };
        }

        // --- the mutations -------------------------------------------------------------------------------------

        /** The document with a few of its values replaced, removed or duplicated, or broken as bytes. */
        private byte[] mutate(ObjectNode doc) {
            int n = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                mutateSomewhere(doc);
            }
            byte[] bytes = ProtocolJson.toBytes(doc);
            return switch (r.nextInt(12)) {
                case 0 -> java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length + 1)); // cut short
                case 1 -> insert(bytes, new byte[] {(byte) 0xC0, (byte) 0xAF}); // overlong UTF-8
                case 2 -> insert(bytes, garbageText(5).getBytes(StandardCharsets.UTF_8));
                case 3 -> insert(bytes, "[".repeat(200).getBytes(StandardCharsets.US_ASCII)); // deep nesting
                default -> bytes;
            };
        }

        private void mutateSomewhere(JsonNode node) {
            List<JsonNode> containers = new ArrayList<>();
            collect(node, containers);
            JsonNode target = containers.get(r.nextInt(containers.size()));
            if (target instanceof ObjectNode o && o.size() > 0) {
                List<String> names = new ArrayList<>();
                o.fieldNames().forEachRemaining(names::add);
                String name = names.get(r.nextInt(names.size()));
                switch (r.nextInt(5)) {
                    case 0 -> o.remove(name);
                    case 1 -> o.set(name + pick("", "X", "\u0000", "é"), edgeValue());
                    default -> o.set(name, edgeValue());
                }
            } else if (target instanceof ArrayNode a) {
                if (a.size() > 0 && r.nextBoolean()) {
                    a.set(r.nextInt(a.size()), edgeValue());
                } else {
                    a.add(edgeValue());
                }
            }
        }

        private static void collect(JsonNode n, List<JsonNode> out) {
            if (n.isContainerNode()) {
                out.add(n);
                n.forEach(child -> collect(child, out));
            }
        }

        private JsonNode edgeValue() {
            return switch (r.nextInt(16)) {
                case 0 -> nodes.nullNode();
                case 1 -> nodes.numberNode(new java.math.BigDecimal(pick("1e999999999", "-1e-999999999", "1e5000000")));
                case 2 -> nodes.numberNode(Long.MIN_VALUE);
                case 3 -> nodes.numberNode(r.nextDouble() * 1e300);
                case 4 -> nodes.numberNode(-0.0);
                case 5 ->
                    nodes.textNode(pick(
                            "+1000000000-01-01T00:00:00Z",
                            "1969-12-31T23:59:59Z",
                            "9999-12-31T23:59:59.999999999Z",
                            "2026-02-30T10:00:00Z",
                            "yesterday"));
                case 6 -> nodes.textNode("x".repeat(r.nextInt(2) == 0 ? 70_000 : 600));
                case 7 -> nodes.textNode(garbageText(30));
                case 8 -> nodes.booleanNode(r.nextBoolean());
                case 9 -> nodes.arrayNode();
                case 10 -> nodes.objectNode();
                case 11 -> {
                    ArrayNode many = nodes.arrayNode();
                    for (int i = 0; i < 600 + r.nextInt(3000); i++) {
                        many.add(i);
                    }
                    yield many;
                }
                case 12 -> nodes.textNode(pick("RF-S1", "RF-O1", "L1", "../../etc/passwd", "a b"));
                case 13 -> nodes.numberNode(r.nextInt(10) - 3);
                case 14 -> nodes.textNode(hex(64));
                default -> nodes.textNode(pick("delivered", "arrived", "photo", "image/jpeg", "accepted"));
            };
        }

        // --- bytes ---------------------------------------------------------------------------------------------

        private byte[] request(String method, String path, String token, byte[] json) {
            Map<String, String> headers = new HashMap<>();
            if (json != null) {
                headers.put(
                        "Content-Type", pick("application/json", "application/json", "text/plain", "application/x"));
            }
            return json == null ? head(method, path, token, headers) : withBody(method, path, token, headers, json);
        }

        private byte[] head(String method, String path, String token, Map<String, String> headers) {
            StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: fuzz\r\n");
            if (token != null) {
                b.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
            return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        private byte[] withBody(String method, String path, String token, Map<String, String> headers, byte[] body) {
            Map<String, String> h = new HashMap<>(headers);
            boolean chunked = r.nextInt(6) == 0;
            if (chunked) {
                h.put("Transfer-Encoding", "chunked");
            } else {
                h.put("Content-Length", String.valueOf(body.length));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(head(method, path, token, h));
            if (chunked) {
                if (body.length > 0) { // a chunk of size 0 is the last one: an empty body is that chunk alone
                    out.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(body);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        private byte[] insert(byte[] bytes, byte[] extra) {
            int at = r.nextInt(bytes.length + 1);
            byte[] out = new byte[bytes.length + extra.length];
            System.arraycopy(bytes, 0, out, 0, at);
            System.arraycopy(extra, 0, out, at, extra.length);
            System.arraycopy(bytes, at, out, at + extra.length, bytes.length - at);
            return out;
        }

        private String pick(String... options) {
            return options[r.nextInt(options.length)];
        }

        private String hex(int n) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                b.append(Character.forDigit(r.nextInt(16), 16));
            }
            return b.toString();
        }

        /** URL- and header-safe printable noise (no spaces, CR or LF: those would break the framing itself). */
        private String garbageText(int n) {
            String alphabet = "abcXYZ019-_.~%!$&'()*+,;=:@/?";
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            return b.toString().toLowerCase(Locale.ROOT).equals("") ? "x" : b.toString();
        }
    }
}
