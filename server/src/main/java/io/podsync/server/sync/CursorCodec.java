package io.podsync.server.sync;

import io.podsync.server.http.ProblemException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque pull cursors: a position in the change feed, the time it was issued, and an HMAC that binds both to the
 * device. A cursor that was altered, made up, or belongs to another device fails the MAC; one older than the maximum
 * age has expired. Either way the device must resync from scratch (and keeps its unsent events).
 */
public final class CursorCodec {
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();
    private static final String PREFIX = "c1";

    private final byte[] key;
    private final Clock clock;
    private final Duration maxAge;

    public CursorCodec(byte[] key, Clock clock, Duration maxAge) {
        this.key = key.clone();
        this.clock = clock;
        this.maxAge = maxAge;
    }

    public String encode(String deviceId, long position) {
        String body = PREFIX + "." + Long.toString(position, 36) + "." + Long.toString(clock.millis(), 36);
        return body + "." + ENC.encodeToString(mac(deviceId, body));
    }

    /** The feed position of a cursor issued to this device; 410 when it is not one. */
    public long decode(String deviceId, String cursor) {
        if (cursor.length() > 200) {
            throw invalid();
        }
        int lastDot = cursor.lastIndexOf('.');
        if (lastDot < 0) {
            throw invalid();
        }
        String body = cursor.substring(0, lastDot);
        byte[] presented;
        try {
            presented = DEC.decode(cursor.substring(lastDot + 1));
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (!MessageDigest.isEqual(presented, mac(deviceId, body))) {
            throw invalid();
        }
        String[] parts = body.split("\\.");
        if (parts.length != 3 || !parts[0].equals(PREFIX)) {
            throw invalid();
        }
        try {
            long position = Long.parseLong(parts[1], 36);
            long issuedAt = Long.parseLong(parts[2], 36);
            if (clock.millis() - issuedAt > maxAge.toMillis()) {
                throw ProblemException.gone(
                        "cursor_expired", "the cursor is older than " + maxAge + "; pull again without a cursor");
            }
            return position;
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    private byte[] mac(String deviceId, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(deviceId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static ProblemException invalid() {
        return ProblemException.gone(
                "cursor_invalid",
                "the cursor is not one this server issued to this device; pull again without a cursor");
    }
}
