package io.podsync.server.auth;

import io.podsync.server.http.ProblemException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Slows down guessing at the public sign-in endpoints ({@code /v1/auth/token}, {@code /v1/auth/enroll}, the
 * console's sign-in). Each caller address has a bucket of {@code 5 × maxFailures} failed attempts, and each API
 * client id from each address one of {@code maxFailures}; a bucket refills one attempt every {@code refill}. While a
 * bucket is empty, every attempt it covers, right or wrong, is answered 429 with {@code Retry-After}: an attacker
 * learns nothing from it, and a caller that stops failing is let in again.
 *
 * <p>An attempt takes one from each of its buckets before the credentials are checked and gets it back when they
 * were right ({@link Attempt#succeeded}), so concurrent guesses cannot slip past the limit, and callers that sign in
 * correctly are never slowed down, also behind a load balancer where they share one address.
 *
 * <p>No bucket is kept per client or device alone: anyone who knows a client id (the bootstrap ids are {@code erp}
 * and {@code ops}) could then lock the real client out from anywhere. Secrets of API clients have at least 16
 * characters (the generated ones 256 bits), device secrets 256 bits and enrollment codes 60 bits for a day, so
 * guessing them from many addresses at this rate gets nowhere.
 *
 * <p>Buckets live in this replica's memory (with several replicas an attacker gets each replica's allowance), at most
 * {@value #MAX_BUCKETS} of them; full buckets are forgotten first, and past that new callers go untracked (logged)
 * rather than let the table grow without bound.
 */
public final class LoginThrottle {
    private static final System.Logger LOG = System.getLogger(LoginThrottle.class.getName());
    static final int MAX_BUCKETS = 100_000;
    /** How many more failures an address has than one client from it: an office's devices behind one NAT. */
    static final int ADDRESS_FACTOR = 5;

    private final int maxFailures;
    private final long refillMillis;
    private final List<Cidr> trustedProxies;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new HashMap<>();
    private long lastOverflowLog;

    /** Attempts left as of {@code at}. */
    private record Bucket(double left, long at, int size) {}

    /** An attempt in progress: {@link #succeeded} gives its reservation back. */
    public final class Attempt {
        private final List<String> keys;

        private Attempt(List<String> keys) {
            this.keys = keys;
        }

        /** The credentials were right: the attempt does not count. */
        public void succeeded() {
            synchronized (LoginThrottle.this) {
                long now = clock.millis();
                for (String key : keys) {
                    Bucket b = buckets.get(key);
                    if (b != null) {
                        buckets.put(key, new Bucket(Math.min(b.size(), left(b, now) + 1), now, b.size()));
                    }
                }
            }
        }
    }

    /**
     * @param trustedProxies addresses or CIDR ranges (a load balancer, an ingress's pod network) whose
     *     {@code X-Forwarded-For} names the real caller
     * @throws IllegalArgumentException naming {@code podsync.http.trusted-proxies} for a malformed entry
     */
    public LoginThrottle(int maxFailures, Duration refill, List<String> trustedProxies, Clock clock) {
        this.maxFailures = maxFailures;
        this.refillMillis = refill.toMillis();
        this.trustedProxies = trustedProxies.stream().map(Cidr::parse).toList();
        this.clock = clock;
    }

    /**
     * The caller's address: the socket peer, or for a trusted proxy the last address it appended to
     * {@code X-Forwarded-For}.
     */
    public String caller(String peer, String forwardedFor) {
        if (forwardedFor != null && trusted(peer)) {
            String[] hops = forwardedFor.split(",");
            String last = hops[hops.length - 1].trim();
            if (!last.isEmpty() && last.length() <= 64) {
                return last;
            }
        }
        return peer;
    }

    private boolean trusted(String peer) {
        if (trustedProxies.isEmpty()) {
            return false;
        }
        byte[] address = Cidr.literal(peer);
        return address != null && trustedProxies.stream().anyMatch(c -> c.contains(address));
    }

    /**
     * Starts a sign-in attempt from {@code address}, for {@code clientId} when it names an API client (null for device
     * secrets and enrollment codes): takes one from each bucket, or refuses with 429 when any is out.
     */
    public synchronized Attempt attempt(String address, String clientId) {
        List<String> keys = new ArrayList<>(2);
        keys.add("address:" + address);
        if (clientId != null) {
            keys.add("client:" + clientId + "@" + address);
        }
        long now = clock.millis();
        long wait = 0;
        for (String key : keys) {
            Bucket b = buckets.get(key);
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
        List<String> taken = new ArrayList<>(2);
        for (String key : keys) {
            int size = key.startsWith("address:") ? maxFailures * ADDRESS_FACTOR : maxFailures;
            Bucket b = buckets.get(key);
            if (b == null && buckets.size() >= MAX_BUCKETS && !makeRoom(now)) {
                continue; // untracked: the table is full of callers failing right now
            }
            buckets.put(key, new Bucket((b == null ? size : left(b, now)) - 1, now, size));
            taken.add(key);
        }
        return new Attempt(taken);
    }

    private double left(Bucket b, long now) {
        // a clock stepped back (NTP, a test) refills nothing rather than taking attempts away
        return Math.min(b.size(), b.left() + (double) Math.max(0, now - b.at()) / refillMillis);
    }

    /** Forgets full buckets; false (and a log line at most every minute) when the table is still full. */
    private boolean makeRoom(long now) {
        buckets.entrySet().removeIf(e -> left(e.getValue(), now) >= e.getValue().size());
        if (buckets.size() < MAX_BUCKETS) {
            return true;
        }
        if (now - lastOverflowLog > 60_000) {
            lastOverflowLog = now;
            LOG.log(Level.WARNING, "login throttle: " + MAX_BUCKETS + " callers failing at once; new ones untracked");
        }
        return false;
    }

    /** An address range: {@code 10.0.0.0/8}, {@code fd00::/8}, or one address. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            String t = text.strip();
            int slash = t.indexOf('/');
            byte[] address = literal(slash < 0 ? t : t.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException(
                        "invalid configuration podsync.http.trusted-proxies: not an IP address or CIDR range: " + text);
            }
            int bits = address.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(t.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > address.length * 8) {
                    throw new IllegalArgumentException(
                            "invalid configuration podsync.http.trusted-proxies: bad prefix length in " + text);
                }
            }
            return new Cidr(address, bits);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((address[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /** The bytes of an IP address literal, never a name lookup; null when it is not one. */
        static byte[] literal(String text) {
            // only what cannot be a host name: a dotted quad, or anything with a colon (IPv6)
            if (text == null
                    || !(text.matches("\\d{1,3}(\\.\\d{1,3}){3}") || text.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*"))) {
                return null;
            }
            try {
                return InetAddress.getByName(text).getAddress(); // a literal: no lookup happens
            } catch (UnknownHostException e) {
                return null;
            }
        }
    }
}
