package io.podsync.server.auth;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.podsync.server.http.ProblemException;
import io.podsync.server.http.Routes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Authenticates every request to a route except the few that must be public (getting a token, enrolling, the JWKS,
 * the health probes, the API reference, and tus discovery, which tells nothing but the server's upload limits). A
 * path that no route serves gets the fallback's 404, with or without a token.
 * Authorization is each handler's: it asks {@link #principal} and checks scopes and ownership.
 */
public final class AuthFilter implements Filter {
    private static final Set<String> PUBLIC = Set.of(
            "/v1/auth/token",
            "/v1/auth/enroll",
            "/.well-known/jwks.json",
            "/health/live",
            "/health/ready",
            "/health/started",
            "/observe/health/live",
            "/observe/health/ready",
            "/observe/health/started",
            "/openapi",
            "/openapi/ui");

    private static final String METRICS_PATH = "/metrics";
    private static final Principal SCRAPER = new Principal("metrics-scraper", Set.of(Scope.METRICS), null);

    private final TokenService tokens;
    private final DeviceGate devices;
    private final byte[] scrapeToken;

    /** @param scrapeToken a static bearer credential for {@code /metrics} only, or null for none */
    public AuthFilter(TokenService tokens, DeviceGate devices, String scrapeToken) {
        this.tokens = tokens;
        this.devices = devices;
        this.scrapeToken = scrapeToken == null ? null : scrapeToken.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The static scrape credential in {@code file} ({@code podsync.metrics.scrape-token-file}), or null without one;
     * a missing, unreadable or short one stops the start, naming the key.
     */
    public static String scrapeToken(Path file) {
        if (file == null) {
            return null;
        }
        String key = "podsync.metrics.scrape-token-file";
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("invalid configuration " + key + ": cannot read " + file);
        }
        if (token.length() < 32 || token.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("invalid configuration " + key + ": " + file
                    + " must hold one credential of at least 32 characters without white space");
        }
        return token;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        // A path no route serves is left to the fallback's 404: there is nothing there to protect.
        if (!isPublic(req.prologue().method(), path) && Routes.templateOf(req).isPresent()) {
            String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw ProblemException.unauthorized("missing_token", "send Authorization: Bearer <access token>");
            }
            String token = header.substring(7).trim();
            if (scrapeToken != null && path.equals(METRICS_PATH) && scrapeToken(token)) {
                req.context().register(SCRAPER);
                chain.proceed();
                return;
            }
            Principal p = tokens.verify(token);
            if (p.isDriver()) {
                devices.requireActive(p);
            }
            req.context().register(p);
        }
        chain.proceed();
    }

    private boolean scrapeToken(String token) {
        return MessageDigest.isEqual(scrapeToken, token.getBytes(StandardCharsets.UTF_8));
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
