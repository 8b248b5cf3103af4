package io.podsync.server.erp;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code webhook-signature} holds {@code v1,<base64 HMAC-SHA256>} over
 * {@code id.timestamp.body}, once per configured secret, so a receiver that knows either the old or the new secret
 * verifies during a rotation. The timestamp lets the receiver refuse replays.
 */
final class WebhookSigner {
    private final List<byte[]> keys = new ArrayList<>();

    WebhookSigner(List<String> secrets) {
        for (String s : secrets) {
            keys.add(ErpConfig.secretBytes(s, "secret"));
        }
    }

    String signatures(String id, long timestampSeconds, byte[] body) {
        List<String> out = new ArrayList<>();
        for (byte[] key : keys) {
            out.add("v1," + Base64.getEncoder().encodeToString(hmac(key, id, timestampSeconds, body)));
        }
        return String.join(" ", out);
    }

    private static byte[] hmac(byte[] key, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
