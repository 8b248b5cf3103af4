package io.podsync.storage.artifact;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * Where evidence bytes live. Two areas: committed artifacts, addressed by SHA-256 (lowercase hex) and never changed,
 * and staging, where chunks of unfinished uploads wait under keys the caller chooses.
 *
 * <p>Staging methods take the caller's own name for a chunk, such as {@code uploads/<id>/<offset>}: relative and
 * slash-separated, without empty, {@code .} or {@code ..} segments or backslashes. The store itself files it under
 * {@link #stagingKey}, so callers pass the bare name. Malformed keys and hashes fail, not transiently.
 *
 * <p>Every method may throw {@link ArtifactStoreException}; {@link ArtifactStoreException#isTransient()} tells a
 * store that is down (retry later) from a request that cannot work.
 */
public interface ArtifactStore {
    /**
     * Writes exactly {@code size} bytes from {@code in} to a staging key, replacing it; returns their SHA-256. Reads
     * no further than {@code size} and leaves {@code in} open. If {@code in} ends or fails early the key is left as
     * it was and the exception is not transient (its message says the chunk was cut short).
     */
    String putStaging(String key, InputStream in, long size);

    /**
     * Writes exactly {@code size} bytes from {@code in} straight to the artifact {@code sha256}, verifying them on
     * the way: they are committed only if they have that SHA-256. Returns false, with nothing written, when the bytes
     * have another hash. If {@code in} ends or fails early nothing is written and the exception is not transient.
     * Writing an artifact that exists already rewrites the same bytes. Leaves {@code in} open.
     *
     * <p>This is how a whole artifact that arrives in one piece is stored: no staging object, no copy.
     */
    boolean putVerified(String sha256, InputStream in, long size, String mediaType);

    /** Reads a staging object. The caller closes the stream. */
    InputStream openStaging(String key);

    /** Deletes staging objects; unknown keys are ignored. */
    void deleteStaging(Collection<String> keys);

    /**
     * Makes the bytes of a staging object the artifact {@code sha256} (the caller has verified the hash). If the
     * artifact exists already this is a no-op: content addressing means it holds the same bytes. The staging object
     * is left for the caller to delete.
     */
    void commit(String stagingKey, String sha256, String mediaType);

    boolean exists(String sha256);

    /** Reads a committed artifact; {@link ArtifactStoreException} with {@code notFound} when there is none. */
    InputStream open(String sha256);

    /**
     * A URL that reads the artifact without credentials until it expires, where the store can make one. Empty for
     * {@link LocalArtifactStore}; S3 caps the TTL at 7 days.
     */
    Optional<URI> presignedGet(String sha256, Duration ttl);

    /** A cheap probe for readiness checks. */
    boolean isHealthy();

    /** For {@link #putVerified}: with no bytes there is no last read to verify at. */
    static void requireBytes(long size) {
        if (size < 1) {
            throw new ArtifactStoreException("an artifact has at least one byte", null, false, false);
        }
    }

    /** The object key (or relative path) of a committed artifact: {@code sha256/ab/cd/abcd...}. */
    static String artifactKey(String sha256) {
        return "sha256/" + sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256;
    }

    /** The object key (or relative path) the store uses for the staging key {@code key}. */
    static String stagingKey(String key) {
        return "staging/" + key;
    }
}
