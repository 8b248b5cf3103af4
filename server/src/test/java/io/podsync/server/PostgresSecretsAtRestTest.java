package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The same on PostgreSQL, where every replica must be given the key: there is no default to generate. */
@OnPostgres
class PostgresSecretsAtRestTest extends SecretsAtRestTest {

    @Test
    void withoutAKeyEncryptionKeyPostgresqlRefusesToStartNamingTheSetting() {
        Map<String, String> m = new HashMap<>(db);
        m.remove("podsync.keys.encryption-key");
        var e = assertThrows(IllegalArgumentException.class, () -> TestServer.start(dir, m));
        assertTrue(e.getMessage().contains("podsync.keys.encryption-key"), e.getMessage());
    }
}
