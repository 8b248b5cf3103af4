package io.podsync.protocol.validation;

/**
 * The shapes of identifiers and content hashes, checked without regular expressions: every event of every push is
 * checked this way several times, and on the server's request threads {@code java.util.regex} was a sixth of the CPU
 * of a push (sampled).
 */
public final class Identifiers {
    private Identifiers() {}

    /**
     * Whether {@code s} is an identifier: 1 to {@code maxLength} characters, letters and digits (ASCII) and
     * {@code . _ : @ / -}, starting with a letter or digit. The same as {@code [A-Za-z0-9][A-Za-z0-9._:@/-]*}.
     */
    public static boolean isId(String s, int maxLength) {
        int n = s.length();
        if (n == 0 || n > maxLength || !alnum(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!alnum(c) && c != '.' && c != '_' && c != ':' && c != '@' && c != '/' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code s} is a SHA-256 in lowercase hex, as content addresses are written: {@code [0-9a-f]{64}}. */
    public static boolean isSha256(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
