package io.podsync.protocol.client;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Idempotency keys for captured events: UUID version 7 (RFC 9562), time-ordered. Any unique key is accepted, but
 * time-ordered keys keep the server's key index append-only, which is several times cheaper to write than random keys.
 */
public final class IdempotencyKeys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static long lastMillis;
    private static long counter;

    private IdempotencyKeys() {}

    /** A new UUIDv7 string; strictly increasing within this process. */
    public static synchronized String newKey() {
        long now = System.currentTimeMillis();
        if (now > lastMillis) {
            lastMillis = now;
            counter = RANDOM.nextInt(1 << 10);
        } else {
            counter++;
            if (counter >= (1 << 12)) { // 4096 keys in one millisecond: borrow the next one
                lastMillis++;
                counter = 0;
            }
        }
        long msb = (lastMillis << 16) | (0x7L << 12) | counter;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
