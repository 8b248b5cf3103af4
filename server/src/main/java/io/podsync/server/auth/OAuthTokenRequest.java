package io.podsync.server.auth;

import io.podsync.server.http.OAuthError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * An RFC 6749 token request: the form-encoded body ({@code application/x-www-form-urlencoded}, section 4.4.2) and
 * the client's authentication, by HTTP Basic ({@code client_secret_basic}, section 2.3.1) or by the body parameters
 * {@code client_id} and {@code client_secret} ({@code client_secret_post}). This is what Prometheus' {@code oauth2}
 * option and OAuth 2.0 client libraries send.
 *
 * @param grantType {@code grant_type}
 * @param clientId the authenticated client's id, from either method; null when the client sent none
 * @param clientSecret its secret
 * @param basic whether the client authenticated with HTTP Basic (a failure then says {@code WWW-Authenticate})
 * @param scope {@code scope}: space-separated, null when absent or blank
 */
record OAuthTokenRequest(String grantType, String clientId, String clientSecret, boolean basic, String scope) {
    private static final int MAX_PARAMETERS = 16;

    /** Parses the body and the {@code Authorization} header (null when absent); {@link OAuthError} when malformed. */
    static OAuthTokenRequest parse(byte[] body, String authorization) {
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
        if (authorization != null && !basic) {
            throw OAuthError.invalidClient("authenticate the client with HTTP Basic or client_secret", false);
        }
        if (basic) {
            String[] pair = basic(authorization.substring(6).trim());
            if (secret != null || (id != null && !id.equals(pair[0]))) {
                // Section 2.3: a client must not use more than one authentication method in a request.
                throw OAuthError.badRequest(
                        OAuthError.INVALID_REQUEST, "use either HTTP Basic or client_id and client_secret, not both");
            }
            id = pair[0];
            secret = pair[1];
        }
        String grantType = form.get("grant_type");
        if (grantType == null || grantType.isEmpty()) {
            throw OAuthError.badRequest(OAuthError.INVALID_REQUEST, "grant_type is required");
        }
        if (id == null || secret == null || id.isEmpty()) {
            throw OAuthError.invalidClient(
                    "no client authentication: send HTTP Basic, or client_id and client_secret", false);
        }
        String scope = form.get("scope");
        return new OAuthTokenRequest(grantType, id, secret, basic, scope == null || scope.isBlank() ? null : scope);
    }

    /**
     * {@code name=value&...}, percent-decoded as UTF-8 with {@code +} for a space; a repeated or undecodable parameter
     * is {@code invalid_request} (section 3.2: parameters must not be included more than once).
     */
    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        String[] pairs = body.split("&", -1);
        if (pairs.length > MAX_PARAMETERS) {
            throw OAuthError.badRequest(OAuthError.INVALID_REQUEST, "too many parameters");
        }
        for (String pair : pairs) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (form.put(name, value) != null) {
                throw OAuthError.badRequest(OAuthError.INVALID_REQUEST, name + " is repeated");
            }
        }
        return form;
    }

    /** The id and secret of an HTTP Basic credential; each is form-encoded before base64 (section 2.3.1). */
    private static String[] basic(String credentials) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidClient("the HTTP Basic credentials are not base64", true);
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw OAuthError.invalidClient("the HTTP Basic credentials are not client_id:client_secret", true);
        }
        try {
            return new String[] {decode(decoded.substring(0, colon)), decode(decoded.substring(colon + 1))};
        } catch (OAuthError e) {
            throw OAuthError.invalidClient("the HTTP Basic credentials are not form-encoded", true);
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.badRequest(OAuthError.INVALID_REQUEST, "the body is not form-encoded");
        }
    }
}
