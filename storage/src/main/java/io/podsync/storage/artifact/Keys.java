package io.podsync.storage.artifact;

import java.util.regex.Pattern;

/**
 * Checks the names callers hand to a store. Staging keys end up as file paths in {@link LocalArtifactStore}, so a key
 * must not be able to climb out of the staging area; both stores apply the same rules so that a key that works in
 * development also works in production.
 */
final class Keys {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private Keys() {}

    static String requireSha256(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw invalid("not a lowercase hex SHA-256: " + abbreviate(sha256));
        }
        return sha256;
    }

    /** Relative, slash-separated, no empty, {@code .} or {@code ..} segments, no backslashes or NULs. */
    static String requireStagingKey(String key) {
        if (key == null || key.isEmpty()) {
            throw invalid("staging key is empty");
        }
        if (key.startsWith("/") || key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            throw invalid("staging key must be a relative slash-separated path: " + abbreviate(key));
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw invalid("staging key has an empty, '.' or '..' segment: " + abbreviate(key));
            }
        }
        return key;
    }

    private static ArtifactStoreException invalid(String message) {
        return new ArtifactStoreException(message, null, false, false);
    }

    // Keys come from clients; keep a hostile one from flooding the log.
    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }
}
