package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.podsync.server.auth.KeyEncryption;
import io.podsync.server.auth.KeyRing;
import io.podsync.storage.DatabaseConfig;
import io.podsync.storage.jdbc.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token signing keys as replicas share them through the database. */
class KeyRingTest {
    @TempDir
    Path dir;

    private static String newKey() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /**
     * A replica not yet given the new key-encryption key, after another one sealed the keys with it (a rotation done
     * in one step instead of three): it keeps signing and verifying with the keys it has instead of failing requests.
     */
    @Test
    void aReplicaThatCannotOpenKeysSealedByAnotherKeepsTheKeysItHas() {
        String old = newKey();
        String rotated = newKey();
        MutableClock clock = new MutableClock();
        try (Database db = Database.open(DatabaseConfig.sqlite(dir.resolve("podsync.db")))) {
            KeyRing behind = new KeyRing(db, KeyEncryption.parse(old, "test"), clock, Duration.ofMinutes(15));
            String kid = behind.signingKey().getKeyID();
            new KeyRing(db, KeyEncryption.parse(rotated + "," + old, "test"), clock, Duration.ofMinutes(15));

            clock.advance(Duration.ofMinutes(2));
            assertEquals(kid, behind.signingKey().getKeyID());
            assertEquals(kid, behind.verifyingKeys().getKeys().get(0).getKeyID());
            clock.advance(Duration.ofSeconds(10));
            assertFalse(behind.reloadForUnknownKid(), "loaded a key it cannot open");
            assertEquals(kid, behind.signingKey().getKeyID());
        }
    }
}
