package io.podsync.simulator.erp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.podsync.simulator.erp.WebhookVerifier.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String OTHER = "whsec_dGhlLW90aGVyLXNlY3JldC1mb3ItdGhlLXRlc3Q=";
    static final long NOW = 1_750_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    static final byte[] BODY = "{\"specversion\":\"1.0\",\"note\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);

    private final WebhookVerifier verifier = new WebhookVerifier(List.of(SECRET), CLOCK);

    private static Optional<Reason> verify(WebhookVerifier v, long ts, String signature, byte[] body) {
        return v.verify("msg_1", Long.toString(ts), signature, body);
    }

    @Test
    void signMatchesThePublishedStandardWebhooksTestVector() {
        // Reproducing the reference implementations' vector proves interoperability, which a round trip cannot:
        // sign and verify here could share the same mistake (delimiter, key decoding, base64 alphabet).
        String signature = WebhookVerifier.sign(
                SECRET,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    @Test
    void acceptsAValidSignature() {
        assertEquals(Optional.empty(), verify(verifier, NOW, WebhookVerifier.sign(SECRET, "msg_1", NOW, BODY), BODY));
    }

    @Test
    void acceptsDuringARotationWhenOnlyALaterEntryMatches() {
        WebhookVerifier rotating = new WebhookVerifier(List.of(SECRET, OTHER), CLOCK);
        String unknown = WebhookVerifier.sign("whsec_bm90LWNvbmZpZ3VyZWQ=", "msg_1", NOW, BODY);
        String header = unknown + " " + WebhookVerifier.sign(OTHER, "msg_1", NOW, BODY);
        assertEquals(Optional.empty(), verify(rotating, NOW, header, BODY));
        // and the same header is refused by a receiver that only knows the first secret
        assertEquals(Optional.of(Reason.NO_MATCHING_SIGNATURE), verify(verifier, NOW, header, BODY));
    }

    @Test
    void rejectsTheWrongSecret() {
        assertEquals(
                Optional.of(Reason.NO_MATCHING_SIGNATURE),
                verify(verifier, NOW, WebhookVerifier.sign(OTHER, "msg_1", NOW, BODY), BODY));
    }

    @Test
    void rejectsATamperedBodyIdOrTimestamp() {
        String signature = WebhookVerifier.sign(SECRET, "msg_1", NOW, BODY);
        byte[] tampered = BODY.clone();
        tampered[tampered.length - 3] ^= 1;
        assertEquals(Optional.of(Reason.NO_MATCHING_SIGNATURE), verify(verifier, NOW, signature, tampered));
        assertEquals(
                Optional.of(Reason.NO_MATCHING_SIGNATURE),
                verifier.verify("msg_2", Long.toString(NOW), signature, BODY));
        assertEquals(Optional.of(Reason.NO_MATCHING_SIGNATURE), verify(verifier, NOW - 1, signature, BODY));
    }

    @Test
    void rejectsATimestampSixMinutesOldAsAReplay() {
        long old = NOW - Duration.ofMinutes(6).toSeconds();
        assertEquals(
                Optional.of(Reason.TIMESTAMP_TOO_OLD),
                verify(verifier, old, WebhookVerifier.sign(SECRET, "msg_1", old, BODY), BODY));
    }

    @Test
    void rejectsATimestampSixMinutesInTheFuture() {
        long future = NOW + Duration.ofMinutes(6).toSeconds();
        assertEquals(
                Optional.of(Reason.TIMESTAMP_IN_FUTURE),
                verify(verifier, future, WebhookVerifier.sign(SECRET, "msg_1", future, BODY), BODY));
    }

    @Test
    void theToleranceIsInclusiveAndConfigurable() {
        long edge = NOW - 300;
        String signature = WebhookVerifier.sign(SECRET, "msg_1", edge, BODY);
        assertEquals(Optional.empty(), verify(verifier, edge, signature, BODY));
        WebhookVerifier strict = new WebhookVerifier(List.of(SECRET), CLOCK, Duration.ofSeconds(299));
        assertEquals(Optional.of(Reason.TIMESTAMP_TOO_OLD), verify(strict, edge, signature, BODY));
    }

    @Test
    void rejectsMissingHeadersAndANonNumericTimestamp() {
        String signature = WebhookVerifier.sign(SECRET, "msg_1", NOW, BODY);
        assertEquals(Optional.of(Reason.MISSING_HEADERS), verifier.verify(null, Long.toString(NOW), signature, BODY));
        assertEquals(Optional.of(Reason.MISSING_HEADERS), verifier.verify("msg_1", null, signature, BODY));
        assertEquals(Optional.of(Reason.MISSING_HEADERS), verifier.verify("msg_1", Long.toString(NOW), " ", BODY));
        assertEquals(Optional.of(Reason.BAD_TIMESTAMP), verifier.verify("msg_1", "soon", signature, BODY));
        assertEquals(Optional.of(Reason.BAD_TIMESTAMP), verifier.verify("msg_1", "+" + NOW, signature, BODY));
    }

    @Test
    void ignoresEntriesOfOtherVersionsAndBrokenBase64() {
        String good = WebhookVerifier.sign(SECRET, "msg_1", NOW, BODY);
        String header = "v1a," + good.substring(3) + " v1,%%%not-base64 " + good;
        assertEquals(Optional.empty(), verify(verifier, NOW, header, BODY));
        assertEquals(Optional.of(Reason.NO_MATCHING_SIGNATURE), verify(verifier, NOW, "v2," + good.substring(3), BODY));
    }

    @Test
    void refusesMalformedSecretsWithoutEchoingThem() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new WebhookVerifier(List.of(SECRET, "hunter2"), CLOCK));
        assertEquals("secret #2 must look like whsec_<base64>", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WebhookVerifier(List.of("whsec_%%%"), CLOCK));
        assertThrows(IllegalArgumentException.class, () -> new WebhookVerifier(List.of(), CLOCK));
    }
}
