package io.podsync.server.auth;

import io.podsync.protocol.json.CanonicalJson;
import io.podsync.storage.FileModes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption key: seals the secrets the database holds (the token signing keys' private parts, the cursor
 * key) with AES-256-GCM, so a copy of the database, a backup or a file readable by another user does not let anyone
 * mint tokens.
 *
 * <p>A sealed value is {@code enc:v1:<key id>:<base64url(nonce | ciphertext | tag)>}, bound to its row by the
 * associated data (the signing key's id), so a sealed value moved to another row does not open. The key id is the
 * first 8 bytes of the key's SHA-256, in hex: it names which key sealed a value without saying anything about it.
 *
 * <p>Keys are 32 random bytes in base64 (standard or URL alphabet). Several may be given, separated by commas or one
 * per line: the first seals, all of them open. That is how the key is rotated: configure {@code new,old}, start (every
 * sealed value is sealed again with the new key), then configure {@code new} alone.
 */
public final class KeyEncryption {
    private static final String PREFIX = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentId;
    private final Map<String, SecretKeySpec> keys; // by key id, the current one first

    private KeyEncryption(Map<String, SecretKeySpec> keys) {
        this.keys = keys;
        this.currentId = keys.keySet().iterator().next();
    }

    /**
     * The keys from their text (comma or line separated, the first seals).
     *
     * @param source the configuration key they came from, named when they are malformed
     */
    public static KeyEncryption parse(String text, String source) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        String withoutComments = String.join(
                "\n", text.lines().filter(l -> !l.strip().startsWith("#")).toList());
        for (String part : withoutComments.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            byte[] raw;
            try {
                raw = part.contains("-") || part.contains("_")
                        ? Base64.getUrlDecoder().decode(part)
                        : Base64.getDecoder().decode(part);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid configuration " + source + ": a key is not base64");
            }
            if (raw.length != 32) {
                throw new IllegalArgumentException("invalid configuration " + source + ": a key must be 32 bytes "
                        + "(openssl rand -base64 32), got " + raw.length);
            }
            keys.putIfAbsent(idOf(raw), new SecretKeySpec(raw, "AES"));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration " + source + ": no key");
        }
        return new KeyEncryption(keys);
    }

    /** The keys in a file; the file is tightened to owner-only if it is readable by others. */
    public static KeyEncryption fromFile(Path file, String source) {
        FileModes.privateFile(file, source);
        try {
            return parse(Files.readString(file, StandardCharsets.US_ASCII), source + " (" + file + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid configuration " + source + ": cannot read " + file + ": " + e);
        }
    }

    /** A new random key, written owner-only to {@code file} (which must not exist). */
    public static KeyEncryption generate(Path file) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String text =
                "# podsync key-encryption key: keep it with the database backups, never beside them in the open.\n"
                        + Base64.getEncoder().encodeToString(raw) + "\n";
        FileModes.writeNewPrivateFile(file, text.getBytes(StandardCharsets.US_ASCII));
        return parse(text, file.toString());
    }

    /**
     * The configured keys: {@code podsync.keys.encryption-key} (the keys themselves, typically from the environment),
     * else {@code podsync.keys.encryption-key-file}; with neither, the embedded default's file beside the database,
     * generated at first start. PostgreSQL has no default: every replica must be given the same key.
     *
     * @param defaultFile where the embedded default keeps its key; {@code null} when there is no default
     */
    public static KeyEncryption configured(String value, Path file, Path defaultFile) {
        if (value != null && file != null) {
            throw new IllegalArgumentException("invalid configuration podsync.keys.encryption-key: set it or "
                    + "podsync.keys.encryption-key-file, not both");
        }
        if (value != null) {
            return parse(value, "podsync.keys.encryption-key");
        }
        if (file != null) {
            return fromFile(file, "podsync.keys.encryption-key-file");
        }
        if (defaultFile == null) {
            throw new IllegalArgumentException("invalid configuration podsync.keys.encryption-key: required with "
                    + "PostgreSQL, the same for every replica (generate one with: openssl rand -base64 32)");
        }
        if (Files.exists(defaultFile)) {
            return fromFile(defaultFile, "the key-encryption key file");
        }
        KeyEncryption generated = generate(defaultFile);
        System.getLogger(KeyEncryption.class.getName())
                .log(
                        System.Logger.Level.INFO,
                        "generated a key-encryption key into " + defaultFile.toAbsolutePath() + " (mode 0600): back it"
                                + " up with the database; configure podsync.keys.encryption-key-file to keep it elsewhere");
        return generated;
    }

    /** The id of the key that seals. */
    public String currentKeyId() {
        return currentId;
    }

    /** Every configured key id, the sealing one first. */
    public List<String> keyIds() {
        return new ArrayList<>(keys.keySet());
    }

    public static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    /** Whether {@code stored} is sealed with the key that seals now (else {@link #seal} it again). */
    public boolean isCurrent(String stored) {
        return isSealed(stored) && stored.startsWith(PREFIX + currentId + ":");
    }

    /** Seals {@code plaintext}, bound to {@code context} (the row it belongs to). */
    public String seal(String plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return PREFIX + currentId + ":"
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /**
     * Opens a sealed value. A plain value (from before values were sealed) is returned as it is.
     *
     * @throws KeyUnavailableException when no configured key sealed it, or it was altered or moved to another row
     */
    public String open(String stored, String context) {
        if (!isSealed(stored)) {
            return stored;
        }
        String rest = stored.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        String id = colon < 0 ? "?" : rest.substring(0, colon);
        SecretKeySpec key = keys.get(id);
        if (key == null) {
            throw new KeyUnavailableException("sealed with key-encryption key " + id + ", which is not configured "
                    + "(configured: " + String.join(", ", keys.keySet()) + ")");
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(rest.substring(colon + 1));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyUnavailableException(
                    "a value sealed with key " + id + " does not open: altered, or moved " + "from another row");
        }
    }

    private static String idOf(byte[] raw) {
        return CanonicalJson.sha256Hex(raw).substring(0, 16);
    }

    @Override
    public String toString() {
        return "KeyEncryption[ids=" + keys.keySet() + "]"; // never the keys
    }

    /** A sealed value cannot be opened with the configured keys. */
    public static final class KeyUnavailableException extends RuntimeException {
        KeyUnavailableException(String message) {
            super(message);
        }
    }
}
