package io.podsync.server.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Utf8Test {
    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    @Test
    void acceptsWhatUtf8Is() {
        assertTrue(Utf8.isValid(new byte[0]));
        assertTrue(Utf8.isValid("plain ascii {\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Utf8.isValid("Größe, 東京, 😀".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Utf8.isValid(hex("c280"))); // U+0080, the smallest two-byte form
        assertTrue(Utf8.isValid(hex("efbfbf"))); // U+FFFF
        assertTrue(Utf8.isValid(hex("f48fbfbf"))); // U+10FFFF, the largest
    }

    @Test
    void refusesEverythingElse() {
        String[] bad = {
            "80", // a continuation byte first
            "c3", // cut short
            "c328", // lead byte, then ASCII
            "c0af", // overlong '/'
            "c180", // overlong
            "e080af", // overlong three-byte form
            "eda080", // a surrogate (U+D800)
            "edbfbf", // a surrogate (U+DFFF)
            "f0808080", // overlong four-byte form
            "f4908080", // above U+10FFFF
            "f5808080", // no such lead byte
            "ff",
            "e282", // cut short in the middle
        };
        for (String b : bad) {
            assertFalse(Utf8.isValid(hex("41" + b + "41")), b);
        }
    }
}
