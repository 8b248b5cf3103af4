package io.podsync.server.auth;

import io.podsync.server.http.ProblemException;
import java.util.Set;

/**
 * Who is calling, from a verified access token.
 *
 * @param subject the driver id for a device token, the client id otherwise
 * @param deviceId set for driver tokens only
 */
public record Principal(String subject, Set<String> scopes, String deviceId) {
    public boolean isDriver() {
        return scopes.contains(Scope.DRIVER);
    }

    /** The driver id of a device token. */
    public String driverId() {
        return isDriver() ? subject : null;
    }

    /** Throws 403 unless the token holds one of these scopes. */
    public Principal requireAny(String... wanted) {
        for (String w : wanted) {
            if (scopes.contains(w)) {
                return this;
            }
        }
        throw ProblemException.forbidden(
                "insufficient_scope", "this operation needs scope " + String.join(" or ", wanted));
    }
}
