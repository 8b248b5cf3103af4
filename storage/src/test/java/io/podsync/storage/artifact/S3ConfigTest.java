package io.podsync.storage.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class S3ConfigTest {
    @Test
    void toStringNeverShowsTheSecret() {
        var config = new S3Config("http://minio:9000", "eu-1", "evidence", "AKIA123", "hunter2-very-secret", "pod");
        String text = config.toString();
        assertFalse(text.contains("hunter2"), text);
        assertTrue(text.contains("AKIA123") && text.contains("evidence"), text);
    }

    @Test
    void aPrefixIsAFolder() {
        assertEquals("pod/", config("pod").prefix());
        assertEquals("pod/", config("pod/").prefix());
        assertEquals("", config(null).prefix());
        assertEquals("", config(" ").prefix());
        assertThrows(IllegalArgumentException.class, () -> config("/pod"));
    }

    @Test
    void blankOptionalValuesBecomeAbsent() {
        var anonymous = new S3Config("http://minio:9000", " ", "evidence", "", null, null);
        assertNull(anonymous.region());
        assertNull(anonymous.accessKey());
        assertNull(anonymous.secretKey());
    }

    @Test
    void requiredValuesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new S3Config(" ", null, "b", null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new S3Config("http://x", null, "", null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new S3Config("http://x", null, "b", "key", null, null));
    }

    private static S3Config config(String prefix) {
        return new S3Config("http://minio:9000", null, "evidence", "k", "s", prefix);
    }
}
