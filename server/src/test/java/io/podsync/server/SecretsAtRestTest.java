package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import io.podsync.server.auth.KeyEncryption;
import io.podsync.storage.SigningKeyRow;
import io.podsync.storage.jdbc.Database;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secrets the database holds (the token signing keys' private parts, the cursor key) are sealed with the
 * key-encryption key: a copy of the database cannot mint a token. Older plain rows are sealed at start; the key is
 * rotated by configuring the new one before the old.
 */
class SecretsAtRestTest {
    @TempDir
    Path dir;

    Map<String, String> db;

    /** The database, both times: SQLite under the test's directory, or PostgreSQL with {@link OnPostgres}. */
    Map<String, String> database() {
        return SuiteServer.database(getClass());
    }

    @BeforeEach
    void pickDatabase() {
        db = database();
    }

    private static String newKey() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    private static int status(TestServer s, String token) {
        return s.send("GET", "/v1/ops/exceptions", null, null, token).statusCode();
    }

    /** What an attacker with a copy of the database does: read the signing key and mint an ops token. */
    @Test
    void aCopyOfTheDatabaseCannotMintATokenForItsSigningKeyIsSealed() {
        try (TestServer s = TestServer.start(dir, db)) {
            List<SigningKeyRow> rows =
                    s.server().database().read(tx -> tx.signingKeys().all());
            assertFalse(rows.isEmpty());
            for (SigningKeyRow row : rows) {
                assertTrue(KeyEncryption.isSealed(row.jwkJson()), "stored plain: " + row.kid());
                assertFalse(row.jwkJson().contains("\"d\""), "the private part in the clear");
                assertThrows(ParseException.class, () -> ECKey.parse(row.jwkJson()));
            }
            String cursorKey = s.server()
                    .database()
                    .read(tx -> tx.settings().get("cursor.hmac.key"))
                    .orElseThrow();
            assertTrue(KeyEncryption.isSealed(cursorKey), "the cursor key in the clear");
        }
    }

    @Test
    void plainRowsOfAnOlderVersionAreSealedAtStartAndTheirTokensStillWork() {
        String token;
        KeyEncryption kek;
        try (TestServer s = TestServer.start(dir, db)) {
            token = s.ops().authenticate().accessToken();
            kek = s.kek();
        }
        // as a version before sealing left them
        try (Database d =
                Database.open(ServerConfig.from(TestServer.config(dir, db)).db())) {
            d.write(tx -> {
                for (SigningKeyRow row : tx.signingKeys().all()) {
                    tx.signingKeys().replaceJwk(row.kid(), row.jwkJson(), kek.open(row.jwkJson(), row.kid()));
                }
                String c = tx.settings().get("cursor.hmac.key").orElseThrow();
                tx.settings().replace("cursor.hmac.key", c, kek.open(c, "cursor.hmac.key"));
                return null;
            });
        }
        try (TestServer s = TestServer.start(dir, db)) {
            assertEquals(200, status(s, token), "a token signed before the restart");
            s.server()
                    .database()
                    .read(tx -> tx.signingKeys().all())
                    .forEach(row -> assertTrue(kek.isCurrent(row.jwkJson()), row.kid()));
            assertTrue(kek.isCurrent(s.server()
                    .database()
                    .read(tx -> tx.settings().get("cursor.hmac.key"))
                    .orElseThrow()));
        }
    }

    @Test
    void theKeyEncryptionKeyIsRotatedByConfiguringTheNewOneFirst() {
        String a = db.getOrDefault("podsync.keys.encryption-key", newKey());
        String b = newKey();
        String token;
        try (TestServer s = TestServer.start(dir, with(a))) {
            token = s.ops().authenticate().accessToken();
        }
        KeyEncryption bOnly = KeyEncryption.parse(b, "test");
        try (TestServer s = TestServer.start(dir, with(b + "," + a))) {
            assertEquals(200, status(s, token));
            s.server()
                    .database()
                    .read(tx -> tx.signingKeys().all())
                    .forEach(row ->
                            assertTrue(bOnly.isCurrent(row.jwkJson()), "sealed again with the new key: " + row.kid()));
        }
        try (TestServer s = TestServer.start(dir, with(b))) {
            assertEquals(200, status(s, token), "the old key is no longer needed");
        }
        var refused = assertThrows(IllegalStateException.class, () -> TestServer.start(dir, with(newKey())));
        assertTrue(refused.getMessage().contains(bOnly.currentKeyId()), refused.getMessage());
        assertTrue(refused.getMessage().contains("podsync.keys.encryption-key"), refused.getMessage());
    }

    private Map<String, String> with(String kek) {
        Map<String, String> m = new HashMap<>(db);
        m.put("podsync.keys.encryption-key", kek);
        return m;
    }
}
