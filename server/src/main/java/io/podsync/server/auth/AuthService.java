package io.podsync.server.auth;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.podsync.protocol.DeviceCredentials;
import io.podsync.protocol.DeviceEnrollRequest;
import io.podsync.protocol.EnrollmentCode;
import io.podsync.protocol.EnrollmentRequest;
import io.podsync.protocol.Limits;
import io.podsync.protocol.TokenRequest;
import io.podsync.protocol.TokenResponse;
import io.podsync.protocol.Violation;
import io.podsync.protocol.validation.ProtocolValidator;
import io.podsync.server.http.HttpHygiene;
import io.podsync.server.http.JsonBodies;
import io.podsync.server.http.OAuthError;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.DeviceRow;
import io.podsync.storage.EnrollmentRow;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tokens, device enrollment, the JWKS and key rotation.
 *
 * <p>Enrollment: the ERP or ops side asks for a one-time code for a driver ({@code POST /v1/devices/enrollments});
 * the driver types it into the app, which redeems it ({@code POST /v1/auth/enroll}) for a device id and a device
 * secret; the device then trades the secret for short-lived access tokens ({@code POST /v1/auth/token}).
 */
public final class AuthService implements HttpService {
    private static final System.Logger LOG = System.getLogger(AuthService.class.getName());
    private static final int SMALL_BODY = 16 * 1024;
    private static final HeaderName X_FORWARDED_FOR = HeaderNames.X_FORWARDED_FOR;
    private static final HeaderName PRAGMA = HeaderNames.create("Pragma");
    private static final String FORM = "application/x-www-form-urlencoded";

    private final Database db;
    private final Clock clock;
    private final TokenService tokens;
    private final KeyRing keys;
    private final ClientRegistry clients;
    private final DeviceGate devices;
    private final Duration enrollmentTtl;
    private final LoginThrottle throttle;

    public AuthService(
            Database db,
            Clock clock,
            TokenService tokens,
            KeyRing keys,
            ClientRegistry clients,
            DeviceGate devices,
            Duration enrollmentTtl,
            LoginThrottle throttle) {
        this.db = db;
        this.clock = clock;
        this.tokens = tokens;
        this.keys = keys;
        this.clients = clients;
        this.devices = devices;
        this.enrollmentTtl = enrollmentTtl;
        this.throttle = throttle;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/auth/token", this::token)
                .post("/v1/auth/enroll", this::enroll)
                .get("/.well-known/jwks.json", this::jwks)
                .post("/v1/devices/enrollments", this::createEnrollment)
                .post("/v1/devices/{deviceId}/revoke", this::revoke)
                .post("/v1/ops/keys/rotate", this::rotate);
    }

    /** The caller's address, as the sign-in throttle counts it. */
    private String address(ServerRequest req) {
        return throttle.caller(
                req.remotePeer().host(), req.headers().first(X_FORWARDED_FOR).orElse(null));
    }

    /**
     * Runs a sign-in as a throttled attempt: refused while its buckets are empty; counted when it ends with 401 (wrong
     * credentials), given back otherwise.
     */
    private void throttled(ServerRequest req, String clientId, Runnable signIn) {
        LoginThrottle.Attempt attempt = throttle.attempt(address(req), clientId);
        try {
            signIn.run();
        } catch (ProblemException | OAuthError e) {
            if ((e instanceof ProblemException p ? p.status() : ((OAuthError) e).status()) != 401) {
                attempt.succeeded();
            }
            throw e;
        } catch (RuntimeException e) {
            attempt.succeeded();
            throw e;
        }
        attempt.succeeded();
    }

    /** The JSON form apps use, or the RFC 6749 form of OAuth 2.0 clients (and Prometheus), by content type. */
    private void token(ServerRequest req, ServerResponse res) {
        String mediaType = JsonBodies.mediaType(req);
        if (mediaType.equals(FORM)) {
            oauthToken(req, res);
            return;
        }
        if (!JsonBodies.isJson(req)) {
            throw ProblemException.unsupportedMediaType(
                    "send Content-Type: application/json, or " + FORM + " for an OAuth 2.0 client");
        }
        TokenRequest t = JsonBodies.read(req, TokenRequest.class, SMALL_BODY);
        String client = TokenRequest.CLIENT_CREDENTIALS.equals(t.grantType()) && clients.knows(t.clientId())
                ? t.clientId()
                : null;
        throttled(req, client, () -> token(t, res));
    }

    /**
     * RFC 6749 section 4.4: client credentials, form-encoded, with the client authenticated by HTTP Basic or by body
     * parameters. Every refusal is an OAuth error answer (section 5.2), the sign-in limit's 429 included.
     */
    private void oauthToken(ServerRequest req, ServerResponse res) {
        OAuthTokenRequest t;
        try {
            t = OAuthTokenRequest.parse(
                    JsonBodies.readBounded(req, SMALL_BODY),
                    req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
        } catch (ProblemException e) { // too large, not UTF-8
            throw OAuthError.of(e);
        }
        try {
            throttled(req, clients.knows(t.clientId()) ? t.clientId() : null, () -> oauthToken(t, res));
        } catch (ProblemException e) { // the sign-in limit
            throw OAuthError.of(e);
        }
    }

    private void oauthToken(OAuthTokenRequest t, ServerResponse res) {
        ClientRegistry.Client client = clients.authenticate(t.clientId(), t.clientSecret())
                .orElseThrow(() -> OAuthError.invalidClient("unknown client or wrong secret", t.basic()));
        if (!t.grantType().equals(TokenRequest.CLIENT_CREDENTIALS)) {
            throw OAuthError.badRequest(
                    OAuthError.UNSUPPORTED_GRANT_TYPE, "grant_type must be client_credentials, got " + t.grantType());
        }
        List<String> scopes = client.scopes();
        if (t.scope() != null) {
            List<String> asked = List.of(t.scope().trim().split(" +"));
            for (String s : asked) {
                if (!client.scopes().contains(s)) {
                    throw OAuthError.badRequest(
                            OAuthError.INVALID_SCOPE, "scope " + s + " is not granted to client " + client.id());
                }
            }
            scopes = client.scopes().stream().filter(asked::contains).toList();
        }
        TokenResponse issued = tokens.issueForClient(client.id(), scopes);
        noStore(res);
        res.header(PRAGMA, "no-cache");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.accessToken());
        body.put("token_type", issued.tokenType());
        body.put("expires_in", issued.expiresIn());
        body.put("scope", issued.scope());
        JsonBodies.ok(res, body);
    }

    private void token(TokenRequest t, ServerResponse res) {
        if (t.grantType() == null || t.clientId() == null || t.clientSecret() == null) {
            throw ProblemException.badRequest(
                    "required",
                    t.grantType() == null ? "grantType" : t.clientId() == null ? "clientId" : "clientSecret",
                    "grantType, clientId and clientSecret are required");
        }
        TokenResponse issued = switch (t.grantType()) {
            case TokenRequest.CLIENT_CREDENTIALS ->
                clients.authenticate(t.clientId(), t.clientSecret())
                        .map(c -> tokens.issueForClient(c.id(), c.scopes()))
                        .orElseThrow(AuthService::badCredentials);
            case TokenRequest.DEVICE_CREDENTIALS -> deviceToken(t.clientId(), t.clientSecret());
            default ->
                throw ProblemException.badRequest(
                        "unsupported_grant_type",
                        "grantType",
                        "grantType must be client_credentials or device_credentials");
        };
        noStore(res);
        JsonBodies.ok(res, issued);
    }

    private TokenResponse deviceToken(String deviceId, String secret) {
        if (deviceId.length() > Limits.MAX_ID_LENGTH) {
            throw badCredentials();
        }
        DeviceRow device = db.read(tx -> tx.devices().find(deviceId)).orElse(null);
        boolean ok = Secrets.matches(secret, device == null ? Secrets.hash("unknown-device") : device.secretHash());
        if (!ok || device == null) {
            throw badCredentials();
        }
        if (!device.isActive()) {
            throw ProblemException.unauthorized("device_revoked", "this device is not enrolled (any more)");
        }
        return tokens.issueForDevice(device.driverId(), device.deviceId());
    }

    private void enroll(ServerRequest req, ServerResponse res) {
        DeviceEnrollRequest r = JsonBodies.read(req, DeviceEnrollRequest.class, SMALL_BODY);
        throttled(req, null, () -> enroll(r, res));
    }

    private void enroll(DeviceEnrollRequest r, ServerResponse res) {
        if (r.enrollmentCode() == null) {
            throw ProblemException.badRequest("required", "enrollmentCode", "enrollmentCode is required");
        }
        if (r.enrollmentCode().length() > 64) {
            throw ProblemException.badRequest("too_long", "enrollmentCode", "enrollmentCode is too long");
        }
        for (String[] f : new String[][] {
            {r.deviceName(), "deviceName"}, {r.platform(), "platform"}, {r.appVersion(), "appVersion"}
        }) {
            if (f[0] != null && f[0].length() > Limits.MAX_TEXT_LENGTH) {
                throw ProblemException.badRequest("too_long", f[1], f[1] + " is too long");
            }
        }
        String codeHash = Secrets.hash(Secrets.normalizeCode(r.enrollmentCode()));
        String deviceId = "dev-" + Secrets.random(12);
        String deviceSecret = Secrets.random(32);
        long now = clock.millis();
        String driverId = db.write(tx -> {
            EnrollmentRow e = tx.devices().findEnrollment(codeHash).orElse(null);
            if (e == null
                    || e.usedAt() != null
                    || e.expiresAt() < now
                    || !tx.devices().redeem(codeHash, deviceId, now)) {
                return null;
            }
            tx.devices()
                    .insert(new DeviceRow(
                            deviceId,
                            e.driverId(),
                            r.deviceName(),
                            r.platform(),
                            r.appVersion(),
                            Secrets.hash(deviceSecret),
                            "active",
                            now,
                            null,
                            null,
                            0));
            return e.driverId();
        });
        if (driverId == null) {
            throw ProblemException.unauthorized(
                    "invalid_enrollment_code",
                    "the enrollment code is unknown, used or expired; ask dispatch for a new one");
        }
        noStore(res);
        JsonBodies.send(
                res,
                Status.CREATED_201,
                new DeviceCredentials(deviceId, driverId, deviceSecret, tokens.issueForDevice(driverId, deviceId)));
    }

    private void jwks(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "max-age=60");
        res.header(HeaderNames.CONTENT_TYPE, "application/jwk-set+json");
        HttpHygiene.send(res, keys.verifyingKeys().toString(true)); // public keys only
    }

    private void createEnrollment(ServerRequest req, ServerResponse res) {
        Principal p = AuthFilter.principal(req).requireAny(Scope.ERP, Scope.OPS);
        EnrollmentRequest r = JsonBodies.read(req, EnrollmentRequest.class, SMALL_BODY);
        List<Violation> v = ProtocolValidator.validateId(r.driverId(), "driverId");
        if (!v.isEmpty()) {
            throw ProblemException.invalid(v);
        }
        String code = Secrets.humanCode();
        long now = clock.millis();
        long expires = now + enrollmentTtl.toMillis();
        db.write(tx -> {
            tx.devices()
                    .insertEnrollment(new EnrollmentRow(
                            Secrets.hash(Secrets.normalizeCode(code)),
                            r.driverId(),
                            p.subject(),
                            now,
                            expires,
                            null,
                            null));
            return null;
        });
        noStore(res);
        JsonBodies.send(res, Status.CREATED_201, new EnrollmentCode(code, r.driverId(), Instant.ofEpochMilli(expires)));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        String deviceId = req.path().pathParameters().get("deviceId");
        revoke(AuthFilter.principal(req), deviceId);
        JsonBodies.ok(res, Map.of("deviceId", deviceId, "status", "revoked"));
    }

    /**
     * Revokes a device: its tokens are refused from now on (at once on this replica, within seconds on the others).
     * Records who did it; the API and the console both revoke here.
     */
    public void revoke(Principal p, String deviceId) {
        p.requireAny(Scope.OPS);
        boolean found = db.write(tx -> tx.devices().revoke(deviceId, p.subject(), clock.millis()));
        if (!found) {
            throw ProblemException.notFound("device_not_found", "no device " + deviceId);
        }
        devices.forget(deviceId);
        LOG.log(System.Logger.Level.INFO, "device " + deviceId + " revoked by " + p.subject());
    }

    private void rotate(ServerRequest req, ServerResponse res) {
        AuthFilter.principal(req).requireAny(Scope.OPS);
        String kid = keys.rotate();
        JsonBodies.ok(res, Map.of("signingKeyId", kid));
    }

    private static void noStore(ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
    }

    private static ProblemException badCredentials() {
        return ProblemException.unauthorized("invalid_credentials", "unknown client or wrong secret");
    }
}
