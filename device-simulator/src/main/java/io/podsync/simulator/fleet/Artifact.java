package io.podsync.simulator.fleet;

import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.EvidenceRef;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** One piece of evidence as the phone holds it: the bytes and their content address. */
record Artifact(String sha256, EvidenceKind kind, String mediaType, byte[] bytes) {
    private static final byte[] PNG = {(byte) 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A};
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0};

    EvidenceRef ref() {
        return new EvidenceRef(sha256, kind, mediaType);
    }

    /** A signature: PNG magic bytes (the server sniffs them) followed by seeded noise, so every one is distinct. */
    static Artifact signature(Random rng) {
        return of(EvidenceKind.SIGNATURE, "image/png", PNG, 1_000 + rng.nextInt(4_000), rng);
    }

    /** A photo: JPEG/JFIF magic bytes and noise, large enough to take several upload chunks. */
    static Artifact photo(Random rng) {
        return of(EvidenceKind.PHOTO, "image/jpeg", JPEG, 6_000 + rng.nextInt(12_000), rng);
    }

    private static Artifact of(EvidenceKind kind, String mediaType, byte[] magic, int size, Random rng) {
        byte[] b = new byte[size];
        rng.nextBytes(b);
        System.arraycopy(magic, 0, b, 0, magic.length);
        return new Artifact(sha256(b), kind, mediaType, b);
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
