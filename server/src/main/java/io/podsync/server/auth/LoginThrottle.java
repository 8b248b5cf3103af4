package io.podsync.server.auth;

import io.podsync.server.http.ProblemException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing at the public login endpoints ({@code /v1/auth/token}, {@code /v1/auth/enroll}): each caller
 * address, and each API client id, has a bucket of {@code maxFailures} failed attempts that refills one every
 * {@code refill}. While a bucket is empty every attempt it covers, right or wrong, is answered 429 with
 * {@code Retry-After}: an attacker learns nothing from it, and a client that stops failing is let in again.
 *
 * <p>Only failures count: apps and ERPs that log in correctly are never slowed down, also behind a load balancer
 * where they share one address. Device secrets (256 bits) and enrollment codes (60 bits, one day) cannot be guessed
 * in a lifetime at this rate, so they have the per-address bucket only: a per-device bucket would let anyone lock a
 * driver's phone out. API client secrets may be chosen by people, so their id has a bucket of its own.
 *
 * <p>Buckets live in this replica's memory (with several replicas an attacker gets each replica's allowance), at most
 * {@value #MAX_BUCKETS} of them; full buckets are forgotten first, and past that new addresses go untracked (logged)
 * rather than let the table grow without bound.
 */
public final class LoginThrottle {
    private static final System.Logger LOG = System.getLogger(LoginThrottle.class.getName());
    static final int MAX_BUCKETS = 100_000;

    private final int maxFailures;
    private final long refillMillis;
    private final Set<String> trustedProxies;
    private final Clock clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastOverflowLog;

    /** Failures left as of {@code at}; a bucket is full again {@code (maxFailures - left) * refill} later. */
    private record Bucket(double left, long at) {}

    /**
     * @param trustedProxies peer addresses (load balancers) whose {@code X-Forwarded-For} names the real caller
     */
    public LoginThrottle(int maxFailures, Duration refill, Set<String> trustedProxies, Clock clock) {
        this.maxFailures = maxFailures;
        this.refillMillis = refill.toMillis();
        this.trustedProxies = Set.copyOf(trustedProxies);
        this.clock = clock;
    }

    /**
     * The caller's address: the socket peer, or for a trusted proxy the last address it appended to
     * {@code X-Forwarded-For}.
     */
    public String caller(String peer, String forwardedFor) {
        if (forwardedFor != null && trustedProxies.contains(peer)) {
            String[] hops = forwardedFor.split(",");
            String last = hops[hops.length - 1].trim();
            if (!last.isEmpty() && last.length() <= 64) {
                return last;
            }
        }
        return peer;
    }

    /** Refuses with 429 while any of these keys' buckets is empty. */
    public void check(String... keys) {
        long now = clock.millis();
        long wait = 0;
        for (String key : keys) {
            Bucket b = key == null ? null : buckets.get(key);
            if (b != null && left(b, now) < 1) {
                wait = Math.max(wait, (long) Math.ceil((1 - left(b, now)) * refillMillis));
            }
        }
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999) / 1000);
            throw new ProblemException(
                            429,
                            "too_many_attempts",
                            "Too many failed attempts",
                            "too many failed sign-in attempts; try again in " + seconds + " s",
                            null,
                            null)
                    .withHeader("Retry-After", String.valueOf(seconds));
        }
    }

    /** Takes one failure from each key's bucket. */
    public void failed(String... keys) {
        long now = clock.millis();
        for (String key : keys) {
            if (key == null) {
                continue;
            }
            if (!buckets.containsKey(key) && buckets.size() >= MAX_BUCKETS && !makeRoom(now)) {
                return;
            }
            buckets.compute(key, (k, b) -> new Bucket((b == null ? maxFailures : left(b, now)) - 1, now));
        }
    }

    private double left(Bucket b, long now) {
        return Math.min(maxFailures, b.left() + (double) (now - b.at()) / refillMillis);
    }

    /** Forgets full buckets; false (and a log line at most every minute) when the table is still full. */
    private boolean makeRoom(long now) {
        buckets.entrySet().removeIf(e -> left(e.getValue(), now) >= maxFailures);
        if (buckets.size() < MAX_BUCKETS) {
            return true;
        }
        if (now - lastOverflowLog > 60_000) {
            lastOverflowLog = now;
            LOG.log(Level.WARNING, "login throttle: " + MAX_BUCKETS + " callers failing at once; new ones untracked");
        }
        return false;
    }
}
