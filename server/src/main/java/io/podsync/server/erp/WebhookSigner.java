package io.podsync.server.erp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
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
    /** One keyed MAC per secret, cloned per signature: cheaper than a provider lookup and key setup each time. */
    private final List<Mac> keyed = new ArrayList<>();

    WebhookSigner(List<String> secrets) {
        for (String s : secrets) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(ErpConfig.secretBytes(s, "secret"), "HmacSHA256"));
                keyed.add(mac);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        }
    }

    String signatures(String id, long timestampSeconds, byte[] body) {
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (Mac prototype : keyed) {
            Mac mac = copy(prototype);
            mac.update(prefix);
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append("v1,").append(Base64.getEncoder().encodeToString(mac.doFinal(body)));
        }
        return out.toString();
    }

    private static Mac copy(Mac prototype) {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
        }
    }
}
