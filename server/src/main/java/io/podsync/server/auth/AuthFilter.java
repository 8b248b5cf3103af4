package io.podsync.server.auth;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.podsync.server.http.ProblemException;
import java.util.Set;

/**
 * Authenticates every request except the few that must be public (getting a token, enrolling, the JWKS, liveness
 * and readiness probes, the API reference, and tus discovery, which tells nothing but the server's upload limits).
 * Authorization is each handler's: it asks {@link #principal} and checks scopes and ownership.
 */
public final class AuthFilter implements Filter {
    private static final Set<String> PUBLIC = Set.of(
            "/v1/auth/token",
            "/v1/auth/enroll",
            "/.well-known/jwks.json",
            "/health/live",
            "/health/ready",
            "/openapi",
            "/openapi/ui");

    private final TokenService tokens;
    private final DeviceGate devices;

    public AuthFilter(TokenService tokens, DeviceGate devices) {
        this.tokens = tokens;
        this.devices = devices;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (!isPublic(req.prologue().method(), path)) {
            String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw ProblemException.unauthorized("missing_token", "send Authorization: Bearer <access token>");
            }
            Principal p = tokens.verify(header.substring(7).trim());
            if (p.isDriver()) {
                devices.requireActive(p);
            }
            req.context().register(p);
        }
        chain.proceed();
    }

    private static boolean isPublic(Method method, String path) {
        return PUBLIC.contains(path)
                // the operations console signs people in with its own session cookie (ConsoleService's gate)
                || path.equals("/ops")
                || path.startsWith("/ops/")
                || path.startsWith("/openapi/ui/")
                || (Method.OPTIONS.equals(method) && (path.equals("/v1/uploads") || path.startsWith("/v1/uploads/")));
    }

    /** The caller of an authenticated request. */
    public static Principal principal(ServerRequest req) {
        return req.context()
                .get(Principal.class)
                .orElseThrow(() -> ProblemException.unauthorized("missing_token", "authentication required"));
    }
}
