package io.podsync.protocol;

/**
 * What a driver must capture to complete a stop. The app enforces it; the server checks it again and flags what is
 * missing, because an app can be old, buggy or bypassed.
 *
 * @param signature a signature image is required
 * @param minPhotos at least this many photos
 * @param scanEachLine every delivered line must be scanned, not typed
 * @param recipientName the recipient's name must be captured
 * @param minimumAge when set, the recipient's age must have been verified
 */
public record ProofPolicy(
        Boolean signature, Integer minPhotos, Boolean scanEachLine, Boolean recipientName, Integer minimumAge) {
    /** A policy that requires nothing. */
    public static final ProofPolicy NONE = new ProofPolicy(false, 0, false, false, null);

    public boolean requiresSignature() {
        return Boolean.TRUE.equals(signature);
    }

    public int requiredPhotos() {
        return minPhotos == null ? 0 : minPhotos;
    }

    public boolean requiresScans() {
        return Boolean.TRUE.equals(scanEachLine);
    }

    public boolean requiresRecipientName() {
        return Boolean.TRUE.equals(recipientName);
    }
}
