package io.podsync.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyEncryptionTest {
    @TempDir
    Path dir;

    private static String key(int fill) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) fill);
        return Base64.getEncoder().encodeToString(b);
    }

    @Test
    void sealsAndOpensBoundToItsRow() {
        KeyEncryption k = KeyEncryption.parse(key(1), "test");
        String sealed = k.seal("{\"d\":\"secret\"}", "kid-1");
        assertTrue(sealed.startsWith("enc:v1:" + k.currentKeyId() + ":"), sealed);
        assertFalse(sealed.contains("secret"));
        assertNotEquals(sealed, k.seal("{\"d\":\"secret\"}", "kid-1"), "a fresh nonce each time");
        assertEquals("{\"d\":\"secret\"}", k.open(sealed, "kid-1"));
        assertThrows(KeyEncryption.KeyUnavailableException.class, () -> k.open(sealed, "kid-2"), "moved rows");
        String altered = sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("A") ? "BB" : "AA");
        assertThrows(KeyEncryption.KeyUnavailableException.class, () -> k.open(altered, "kid-1"));
        assertEquals("plain", k.open("plain", "kid-1"), "values from before sealing read as they are");
    }

    @Test
    void theFirstKeySealsAndEveryConfiguredKeyOpens() {
        KeyEncryption old = KeyEncryption.parse(key(1), "test");
        String sealedOld = old.seal("x", "r");
        KeyEncryption rotated = KeyEncryption.parse(key(2) + "," + key(1), "test");
        assertEquals("x", rotated.open(sealedOld, "r"));
        assertFalse(rotated.isCurrent(sealedOld));
        assertTrue(rotated.isCurrent(rotated.seal("x", "r")));
        KeyEncryption other = KeyEncryption.parse(key(3), "test");
        var e = assertThrows(KeyEncryption.KeyUnavailableException.class, () -> other.open(sealedOld, "r"));
        assertTrue(e.getMessage().contains(old.currentKeyId()), e.getMessage());
    }

    @Test
    void malformedKeysNameTheirSetting() {
        for (String bad : new String[] {"", "not base64!", Base64.getEncoder().encodeToString(new byte[16])}) {
            var e = assertThrows(
                    IllegalArgumentException.class, () -> KeyEncryption.parse(bad, "podsync.keys.encryption-key"));
            assertTrue(e.getMessage().contains("podsync.keys.encryption-key"), e.getMessage());
        }
        var both = assertThrows(
                IllegalArgumentException.class, () -> KeyEncryption.configured(key(1), dir.resolve("k"), null));
        assertTrue(both.getMessage().contains("not both"));
        var none = assertThrows(IllegalArgumentException.class, () -> KeyEncryption.configured(null, null, null));
        assertTrue(none.getMessage().contains("podsync.keys.encryption-key"), none.getMessage());
    }

    @Test
    void theDefaultIsGeneratedOnceOwnerOnlyAndReadAgain() throws Exception {
        Path file = dir.resolve("podsync.key");
        KeyEncryption first = KeyEncryption.configured(null, null, file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        KeyEncryption again = KeyEncryption.configured(null, null, file);
        assertEquals(first.currentKeyId(), again.currentKeyId());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        KeyEncryption.configured(null, null, file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "tightened");
    }
}
