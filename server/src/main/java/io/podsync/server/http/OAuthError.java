package io.podsync.server.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ends an RFC 6749 token request with the error answer OAuth 2.0 clients read (section 5.2): {@code application/json}
 * with {@code error} and {@code error_description}, not a problem document. Thrown by the form-encoded token endpoint;
 * answered by {@link ErrorMapping}.
 */
public final class OAuthError extends RuntimeException {
    /** The request is missing a parameter, repeats one, or is otherwise malformed. */
    public static final String INVALID_REQUEST = "invalid_request";
    /** Client authentication failed: unknown client, wrong secret, or none sent. */
    public static final String INVALID_CLIENT = "invalid_client";
    /** The grant type is not {@code client_credentials}. */
    public static final String UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type";
    /** A requested scope is unknown or beyond what the client holds. */
    public static final String INVALID_SCOPE = "invalid_scope";

    private final int status;
    private final String error;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public OAuthError(int status, String error, String description) {
        super(description, null, false, false); // a normal outcome, no stack trace
        this.status = status;
        this.error = error;
    }

    public static OAuthError badRequest(String error, String description) {
        return new OAuthError(400, error, description);
    }

    /**
     * 401 {@code invalid_client}. A client that tried HTTP Basic is told so in {@code WWW-Authenticate} (RFC 6749
     * section 5.2).
     */
    public static OAuthError invalidClient(String description, boolean basic) {
        OAuthError e = new OAuthError(401, INVALID_CLIENT, description);
        if (basic) {
            e.withHeader("WWW-Authenticate", "Basic realm=\"podsync\"");
        }
        return e;
    }

    /**
     * The same refusal for a client of the form: a problem's status, code, detail and headers ({@code Retry-After} of
     * the sign-in limit) as an OAuth error.
     */
    public static OAuthError of(ProblemException p) {
        String error = p.status() == 401
                ? INVALID_CLIENT
                : p.status() == 400 || p.status() == 413 ? INVALID_REQUEST : p.code();
        OAuthError e = new OAuthError(p.status(), error, p.getMessage());
        p.headers().forEach(e::withHeader);
        return e;
    }

    public OAuthError withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
