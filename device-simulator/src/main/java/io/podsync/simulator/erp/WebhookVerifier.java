package io.podsync.simulator.erp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> signatures: the headers
 * {@code webhook-id}, {@code webhook-timestamp} (unix seconds) and {@code webhook-signature} (space-separated
 * {@code v1,<base64>} entries), where each signature is base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
 *
 * <p>Several secrets may be configured, and a header may carry several signatures: during a rotation the sender
 * signs with the old and the new secret, and the receiver accepts when any secret matches any entry, so neither side
 * has to switch at the same instant. The timestamp is part of the signed content, so checking it against a tolerance
 * is what stops a captured request from being replayed later.
 */
public final class WebhookVerifier {
    /** Both directions: a stale request is a replay, one from the future is a clock gone wrong or a forgery. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private static final String SECRET_PREFIX = "whsec_";
    private static final String VERSION = "v1,";
    private static final String HMAC = "HmacSHA256";

    /** Why a request was refused; {@link #code()} is what the receiver answers in {@code {"error": ...}}. */
    public enum Reason {
        MISSING_HEADERS("missing_headers"),
        BAD_TIMESTAMP("bad_timestamp"),
        TIMESTAMP_TOO_OLD("timestamp_too_old"),
        TIMESTAMP_IN_FUTURE("timestamp_in_future"),
        NO_MATCHING_SIGNATURE("no_matching_signature");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final List<SecretKeySpec> keys;
    private final Clock clock;
    private final long toleranceSeconds;

    public WebhookVerifier(List<String> secrets, Clock clock) {
        this(secrets, clock, DEFAULT_TOLERANCE);
    }

    /**
     * @param secrets {@code whsec_<base64>} each; at least one
     * @throws IllegalArgumentException when a secret is malformed (the message never repeats the secret)
     */
    public WebhookVerifier(List<String> secrets, Clock clock, Duration tolerance) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one webhook secret is required");
        }
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("the timestamp tolerance must not be negative");
        }
        List<SecretKeySpec> list = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            list.add(key(secrets.get(i), "secret #" + (i + 1)));
        }
        this.keys = List.copyOf(list);
        this.clock = clock;
        this.toleranceSeconds = tolerance.toSeconds();
    }

    /**
     * Checks one request. The body must be the raw bytes as received: re-serialized JSON would not match.
     *
     * @return the reason to refuse the request, or empty to accept it
     */
    public Optional<Reason> verify(String id, String timestamp, String signatureHeader, byte[] body) {
        if (isBlank(id) || isBlank(timestamp) || isBlank(signatureHeader) || body == null) {
            return Optional.of(Reason.MISSING_HEADERS);
        }
        // Digits only: "+5" or " 5" would parse as a number but sign as a different string than the sender meant.
        if (timestamp.length() > 18 || !timestamp.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.of(Reason.BAD_TIMESTAMP);
        }
        long ts = Long.parseLong(timestamp);
        long now = clock.instant().getEpochSecond();
        if (ts < now - toleranceSeconds) {
            return Optional.of(Reason.TIMESTAMP_TOO_OLD);
        }
        if (ts > now + toleranceSeconds) {
            return Optional.of(Reason.TIMESTAMP_IN_FUTURE);
        }
        List<byte[]> offered = signatures(signatureHeader);
        // The signed content uses the header's timestamp text as sent, exactly like the sender's.
        for (SecretKeySpec key : keys) {
            byte[] expected = hmac(key, id, timestamp, body);
            for (byte[] candidate : offered) {
                if (MessageDigest.isEqual(expected, candidate)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(Reason.NO_MATCHING_SIGNATURE);
    }

    /**
     * The {@code webhook-signature} value ({@code v1,<base64>}) for one secret: what a sender puts in the header.
     * Join several with a space to sign with more than one secret during a rotation.
     */
    public static String sign(String secret, String id, long timestamp, byte[] body) {
        byte[] mac = hmac(key(secret, "secret"), id, Long.toString(timestamp), body);
        return VERSION + Base64.getEncoder().encodeToString(mac);
    }

    /** The decoded {@code v1} entries; other versions (such as {@code v1a}, asymmetric) and broken base64 are skipped. */
    private static List<byte[]> signatures(String header) {
        List<byte[]> out = new ArrayList<>();
        for (String entry : header.trim().split("\\s+")) {
            if (entry.startsWith(VERSION)) {
                try {
                    out.add(Base64.getDecoder().decode(entry.substring(VERSION.length())));
                } catch (IllegalArgumentException e) {
                    // not base64: it cannot match, and another entry still may
                }
            }
        }
        return out;
    }

    /**
     * The body is fed to the MAC as raw bytes. For UTF-8 bodies that is the same as signing the body as a string;
     * for invalid UTF-8 it is stricter, as decoding would map different bytes to the same replacement character.
     */
    private static byte[] hmac(SecretKeySpec key, String id, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }

    private static SecretKeySpec key(String secret, String name) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException(name + " must look like whsec_<base64>");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is not valid base64 after whsec_");
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException(name + " is empty after whsec_");
        }
        return new SecretKeySpec(bytes, HMAC);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
