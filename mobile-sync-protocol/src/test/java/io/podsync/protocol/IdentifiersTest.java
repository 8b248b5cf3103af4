package io.podsync.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.protocol.validation.Identifiers;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written checks answer as the documented patterns do, on many random strings and the edges. */
class IdentifiersTest {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String ALPHABET = "aZz09AF._:@/-+ é\u0000\u00ff\u0660Ab";

    @Test
    void identifiersAreWhatThePatternSays() {
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(8);
            for (int j = 0; j < n; j++) {
                b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String s = b.toString();
            assertEquals(ID.matcher(s).matches() && s.length() <= 5, Identifiers.isId(s, 5), s);
        }
        assertTrue(Identifiers.isId("dev-1:2@x/y_z.w", 128));
        assertFalse(Identifiers.isId("-leading", 128));
        assertFalse(Identifiers.isId("", 128));
        assertFalse(Identifiers.isId("x".repeat(129), 128));
        assertTrue(Identifiers.isId("x".repeat(128), 128));
    }

    @Test
    void contentHashesAreWhatThePatternSays() {
        Random random = new Random(7);
        String hex = "0123456789abcdefABg";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = 62 + random.nextInt(4);
            for (int j = 0; j < n; j++) {
                // mostly valid digits, so that many strings of length 64 pass
                b.append(hex.charAt(random.nextInt(random.nextInt(40) == 0 ? hex.length() : 16)));
            }
            String s = b.toString();
            assertEquals(SHA256.matcher(s).matches(), Identifiers.isSha256(s), s);
        }
        assertTrue(Identifiers.isSha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assertFalse(Identifiers.isSha256("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
    }
}
