package io.podsync.server.console;

import io.podsync.server.auth.ClientRegistry;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Scope;
import io.podsync.server.auth.Secrets;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.ConsoleSessionRow;
import io.podsync.storage.jdbc.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Who is signed in to the console. A person signs in with the credentials of an ops API client (give each person a
 * client of their own, so that what they do is recorded under their name); the browser gets a random session id in
 * an HttpOnly, SameSite=Strict cookie, and the database keeps its hash, the client and a CSRF token.
 *
 * <p>A session ends when it has been idle for {@code idleTimeout}, at {@code maxAge} after sign-in whatever the
 * activity, or at sign-out; sessions live in the database, so every replica agrees.
 */
public final class ConsoleSessions {
    /** Activity is written at most this often, not on every page. */
    private static final long TOUCH_EVERY_MILLIS = 60_000;

    private final Database db;
    private final ClientRegistry clients;
    private final Clock clock;
    private final Duration idleTimeout;
    private final Duration maxAge;

    /** A live session: the principal it acts as and the CSRF token its forms carry. */
    public record Session(String hash, Principal principal, String csrfToken) {}

    /** A new session: the id for the cookie (shown once) and the session. */
    public record SignedIn(String id, Session session) {}

    public ConsoleSessions(Database db, ClientRegistry clients, Clock clock, Duration idleTimeout, Duration maxAge) {
        this.db = db;
        this.clients = clients;
        this.clock = clock;
        this.idleTimeout = idleTimeout;
        this.maxAge = maxAge;
    }

    public Duration maxAge() {
        return maxAge;
    }

    /**
     * Signs in with an API client's credentials; 401 for wrong ones, 403 for a client without the ops scope. The
     * caller counts failures against the sign-in throttle.
     */
    public SignedIn signIn(String clientId, String secret) {
        ClientRegistry.Client c = clients.authenticate(clientId, secret)
                .orElseThrow(
                        () -> ProblemException.unauthorized("invalid_credentials", "unknown client or wrong secret"));
        Principal p = principal(c);
        p.requireAny(Scope.OPS);
        String id = Secrets.random(32);
        String csrf = Secrets.random(32);
        long now = clock.millis();
        String hash = Secrets.hash(id);
        db.write(tx -> {
            tx.consoleSessions().deleteExpired(now - idleTimeout.toMillis(), now - maxAge.toMillis());
            tx.consoleSessions().insert(new ConsoleSessionRow(hash, c.id(), csrf, now, now));
            return null;
        });
        return new SignedIn(id, new Session(hash, p, csrf));
    }

    /** The live session of this cookie value, if any; its activity is recorded. */
    public Optional<Session> find(String id) {
        if (id == null || id.isEmpty() || id.length() > 100) {
            return Optional.empty();
        }
        String hash = Secrets.hash(id);
        long now = clock.millis();
        ConsoleSessionRow row = db.read(tx -> tx.consoleSessions().find(hash)).orElse(null);
        if (row == null) {
            return Optional.empty();
        }
        if (row.lastSeenAt() < now - idleTimeout.toMillis() || row.createdAt() < now - maxAge.toMillis()) {
            db.write(tx -> {
                tx.consoleSessions().delete(hash);
                return null;
            });
            return Optional.empty();
        }
        Optional<ClientRegistry.Client> client = clients.find(row.clientId());
        if (client.isEmpty()) { // the client left the configuration: its sessions end with it
            return Optional.empty();
        }
        if (now - row.lastSeenAt() > TOUCH_EVERY_MILLIS) {
            db.write(tx -> {
                tx.consoleSessions().touch(hash, now);
                return null;
            });
        }
        return Optional.of(new Session(hash, principal(client.get()), row.csrfToken()));
    }

    public void signOut(Session s) {
        db.write(tx -> {
            tx.consoleSessions().delete(s.hash());
            return null;
        });
    }

    private static Principal principal(ClientRegistry.Client c) {
        return new Principal(c.id(), Set.copyOf(c.scopes()), null);
    }
}
