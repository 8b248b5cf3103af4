package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.storage.SigningKeyRow;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tokens an attacker could present: each must get 401 (or 403 for a valid token without the scope). */
class JwtAttackTest {
    static TestServer server;

    /** The suite's server, on SQLite here and on PostgreSQL in the {@link OnPostgres} subclass. */
    @RegisterExtension
    static final SuiteServer suite = new SuiteServer((dir, db, alsoClose) -> {
        server = TestServer.start(dir, db);
        return server;
    });

    private static final String PROTECTED = "/v1/ops/exceptions";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private static HttpResponse<String> get(String token) {
        return server.send("GET", PROTECTED, null, null, token);
    }

    private static void assertUnauthorized(String token, String code) {
        HttpResponse<String> res = get(token);
        assertEquals(401, res.statusCode(), res.body());
        assertEquals(
                "application/problem+json",
                res.headers().firstValue("content-type").orElse(""));
        assertEquals(
                code, ProtocolJson.read(res.body(), JsonNode.class).get("code").asText());
        assertTrue(res.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
    }

    private static ECKey serverKey() throws Exception {
        List<SigningKeyRow> rows =
                server.server().database().read(tx -> tx.signingKeys().all());
        SigningKeyRow row = rows.get(rows.size() - 1);
        return ECKey.parse(server.kek().open(row.jwkJson(), row.kid()));
    }

    private static JWTClaimsSet.Builder validClaims() {
        Date now = new Date();
        return new JWTClaimsSet.Builder()
                .issuer("podsync")
                .audience("podsync-api")
                .subject("ops")
                .issueTime(now)
                .notBeforeTime(now)
                .expirationTime(new Date(now.getTime() + 600_000))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", "ops");
    }

    private static String sign(ECKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(key.getKeyID())
                        .type(new JOSEObjectType("at+jwt"))
                        .build(),
                claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    @Test
    void aCorrectlySignedTokenIsAcceptedSoTheAttacksBelowAreMeaningful() throws Exception {
        assertEquals(200, get(sign(serverKey(), validClaims().build())).statusCode());
    }

    @Test
    void noTokenOrAnotherScheme() {
        assertUnauthorized(null, "missing_token");
        HttpResponse<String> basic = server.send("GET", PROTECTED, null, null, "Basic b3BzOm9wcw==");
        assertEquals(401, basic.statusCode());
    }

    @Test
    void algNone() {
        String header = B64.encodeToString("{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8));
        String body = B64.encodeToString(validClaims().build().toString().getBytes(StandardCharsets.UTF_8));
        assertUnauthorized(header + "." + body + ".", "invalid_token");
    }

    @Test
    void hmacSignedWithThePublicKey() throws Exception {
        ECKey pub = serverKey().toPublicJWK();
        byte[] secret = pub.toJSONString().getBytes(StandardCharsets.UTF_8);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(pub.getKeyID())
                        .type(new JOSEObjectType("at+jwt"))
                        .build(),
                validClaims().build());
        jwt.sign(new MACSigner(secret));
        assertUnauthorized(jwt.serialize(), "invalid_token");
        // and with the raw public key bytes, the other classic spelling of this attack
        SignedJWT raw = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(pub.getKeyID())
                        .type(new JOSEObjectType("at+jwt"))
                        .build(),
                validClaims().build());
        raw.sign(new MACSigner(pad(pub.toECPublicKey().getEncoded())));
        assertUnauthorized(raw.serialize(), "invalid_token");
    }

    private static byte[] pad(byte[] key) {
        return key.length >= 32 ? key : java.util.Arrays.copyOf(key, 32);
    }

    @Test
    void expired() throws Exception {
        Date past = new Date(System.currentTimeMillis() - 3_600_000);
        assertUnauthorized(
                sign(
                        serverKey(),
                        validClaims()
                                .issueTime(past)
                                .notBeforeTime(past)
                                .expirationTime(new Date(past.getTime() + 60_000))
                                .build()),
                "token_expired");
    }

    @Test
    void notYetValid() throws Exception {
        Date future = new Date(System.currentTimeMillis() + 3_600_000);
        assertUnauthorized(
                sign(
                        serverKey(),
                        validClaims()
                                .notBeforeTime(future)
                                .expirationTime(new Date(future.getTime() + 600_000))
                                .build()),
                "invalid_token");
    }

    @Test
    void wrongIssuerOrAudience() throws Exception {
        assertUnauthorized(sign(serverKey(), validClaims().issuer("evil").build()), "invalid_token");
        assertUnauthorized(
                sign(serverKey(), validClaims().audience("another-api").build()), "invalid_token");
    }

    @Test
    void tamperedPayload() {
        String token = server.erp().authenticate().accessToken(); // scope erp
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"scope\":\"erp\"", "\"scope\":\"ops\"");
        assertTrue(claims.contains("\"ops\""));
        assertUnauthorized(
                parts[0] + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2],
                "invalid_token");
        assertUnauthorized(token.substring(0, token.length() - 4) + "AAAA", "invalid_token");
    }

    @Test
    void signedByAKeyTheServerNeverHad() throws Exception {
        ECKey stranger = new ECKeyGenerator(Curve.P_256)
                .keyID(UUID.randomUUID().toString())
                .generate();
        assertUnauthorized(sign(stranger, validClaims().build()), "invalid_token");
        // even when it claims the server's key id
        ECKey impostor =
                new ECKeyGenerator(Curve.P_256).keyID(serverKey().getKeyID()).generate();
        assertUnauthorized(sign(impostor, validClaims().build()), "invalid_token");
    }

    @Test
    void aValidTokenWithoutTheScopeIsForbidden() {
        HttpResponse<String> res = get(server.erp().authenticate().accessToken());
        assertEquals(403, res.statusCode());
        assertEquals(
                "insufficient_scope",
                ProtocolJson.read(res.body(), JsonNode.class).get("code").asText());
    }

    @Test
    void keyRotationLogsNobodyOut() throws Exception {
        TestServer.Device device = server.device("DRot");
        String before = device.token();
        String oldKid = SignedJWT.parse(before).getHeader().getKeyID();
        HttpResponse<String> rotated = server.send(
                "POST",
                "/v1/ops/keys/rotate",
                "application/json",
                "{}",
                server.ops().authenticate().accessToken());
        assertEquals(200, rotated.statusCode(), rotated.body());

        assertEquals(
                200, server.send("GET", "/v1/sync/pull", null, null, before).statusCode());
        String after = device.client().authenticate().accessToken();
        assertNotEquals(oldKid, SignedJWT.parse(after).getHeader().getKeyID());
        assertEquals(200, server.send("GET", "/v1/sync/pull", null, null, after).statusCode());
        JsonNode jwks = ProtocolJson.read(
                server.send("GET", "/.well-known/jwks.json", null, null, null).body(), JsonNode.class);
        assertEquals(2, jwks.get("keys").size());
        assertTrue(jwks.toString().contains(oldKid));
        jwks.get("keys").forEach(k -> assertTrue(k.get("d") == null, "a private key was published"));
    }

    @Test
    void aRevokedDeviceIsLoggedOut() {
        TestServer.Device device = server.device("DRev");
        assertEquals(
                200,
                server.send("GET", "/v1/sync/pull", null, null, device.token()).statusCode());
        HttpResponse<String> revoke = server.send(
                "POST",
                "/v1/devices/" + device.id() + "/revoke",
                "application/json",
                "{}",
                server.ops().authenticate().accessToken());
        assertEquals(200, revoke.statusCode(), revoke.body());
        HttpResponse<String> after = server.send("GET", "/v1/sync/pull", null, null, device.token());
        assertEquals(401, after.statusCode());
        assertEquals(
                "device_revoked",
                ProtocolJson.read(after.body(), JsonNode.class).get("code").asText());
        HttpResponse<String> token = server.postJson(
                "/v1/auth/token",
                """
                {"grantType":"device_credentials","clientId":"%s","clientSecret":"%s"}
                """.formatted(device.id(), device.credentials().deviceSecret()),
                null);
        assertEquals(401, token.statusCode());
    }

    @Test
    void wrongSecretsAndReusedEnrollmentCodes() {
        HttpResponse<String> bad = server.postJson(
                "/v1/auth/token",
                "{\"grantType\":\"client_credentials\",\"clientId\":\"erp\",\"clientSecret\":\"nope\"}",
                null);
        assertEquals(401, bad.statusCode());
        assertEquals(
                "invalid_credentials",
                ProtocolJson.read(bad.body(), JsonNode.class).get("code").asText());
        String code = server.erp().createEnrollment("DCode").code();
        assertEquals(
                201,
                server.postJson("/v1/auth/enroll", "{\"enrollmentCode\":\"" + code + "\"}", null)
                        .statusCode());
        HttpResponse<String> reused = server.postJson("/v1/auth/enroll", "{\"enrollmentCode\":\"" + code + "\"}", null);
        assertEquals(401, reused.statusCode());
        assertEquals(
                "invalid_enrollment_code",
                ProtocolJson.read(reused.body(), JsonNode.class).get("code").asText());
    }
}
