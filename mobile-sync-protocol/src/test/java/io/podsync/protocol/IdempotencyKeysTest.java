package io.podsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.client.IdempotencyKeys;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {
    @Test
    void keysAreVersion7AndStrictlyIncreasing() {
        String previous = IdempotencyKeys.newKey();
        for (int i = 0; i < 20_000; i++) {
            String next = IdempotencyKeys.newKey();
            assertTrue(next.compareTo(previous) > 0, previous + " then " + next);
            UUID u = UUID.fromString(next);
            assertEquals(7, u.version());
            assertEquals(2, u.variant());
            previous = next;
        }
    }
}
