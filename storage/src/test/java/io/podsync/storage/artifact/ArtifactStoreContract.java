package io.podsync.storage.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every {@link ArtifactStore} must do; each implementation's test extends this. */
abstract class ArtifactStoreContract {
    static final int MIB = 1024 * 1024;
    static final String MEDIA_TYPE = "image/jpeg";

    protected ArtifactStore store;

    /** A fresh, empty store for each test. */
    protected abstract ArtifactStore newStore() throws Exception;

    @BeforeEach
    void createStore() throws Exception {
        store = newStore();
    }

    @Test
    void putStagingReturnsTheSha256OfTheBytes() {
        // The FIPS 180-2 test vector, so the check does not depend on the code under test computing it the same way.
        String sha = store.putStaging("u1/0", stream("abc".getBytes(StandardCharsets.US_ASCII)), 3);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha);

        byte[] bytes = randomBytes(100_000, 1);
        assertEquals(sha256(bytes), store.putStaging("u1/1", stream(bytes), bytes.length));
    }

    @Test
    void openStagingReturnsTheBytes() throws IOException {
        byte[] bytes = randomBytes(70_000, 2);
        store.putStaging("u2/0", stream(bytes), bytes.length);
        assertArrayEquals(bytes, readStaging("u2/0"));
    }

    @Test
    void anEmptyChunkIsAChunk() throws IOException {
        assertEquals(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                store.putStaging("empty", stream(new byte[0]), 0));
        assertArrayEquals(new byte[0], readStaging("empty"));
    }

    @Test
    void putStagingReplacesTheKey() throws IOException {
        store.putStaging("u3/0", stream(randomBytes(1000, 3)), 1000);
        byte[] second = randomBytes(500, 4);
        store.putStaging("u3/0", stream(second), second.length);
        assertArrayEquals(second, readStaging("u3/0"));
    }

    @Test
    void putStagingReadsExactlySizeBytes() throws IOException {
        byte[] bytes = randomBytes(10, 5);
        ByteArrayInputStream in = stream(bytes);
        String sha = store.putStaging("u4/0", in, 6);
        assertEquals(sha256(Arrays.copyOf(bytes, 6)), sha);
        assertArrayEquals(Arrays.copyOf(bytes, 6), readStaging("u4/0"));
        assertEquals(4, in.available(), "bytes after the chunk stay in the caller's stream");
    }

    /** Small goes through a single PUT on S3, large through a multipart upload that must be aborted. */
    @ParameterizedTest
    @ValueSource(ints = {20, 12 * MIB})
    void aShortStreamFailsAndLeavesNothing(int size) {
        byte[] bytes = randomBytes(size / 2, 6);
        var e = assertThrows(ArtifactStoreException.class, () -> store.putStaging("u5/0", stream(bytes), size));
        assertFalse(e.isTransient(), "a truncated chunk will not get better by retrying the store");
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
        assertNotFound(() -> store.openStaging("u5/0"));
    }

    @Test
    void aFailingSourceIsACutShortChunkNotAStoreFailure() {
        InputStream failing = new SequenceInputStream(stream(randomBytes(1000, 7)), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset by device");
            }
        });
        var e = assertThrows(ArtifactStoreException.class, () -> store.putStaging("u6/0", failing, 5000));
        assertFalse(e.isTransient(), e.toString());
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
        assertNotFound(() -> store.openStaging("u6/0"));
    }

    @Test
    void commitMakesTheArtifactReadable() throws IOException {
        byte[] bytes = randomBytes(50_000, 8);
        String sha = store.putStaging("u7/0", stream(bytes), bytes.length);
        assertFalse(store.exists(sha));

        store.commit("u7/0", sha, MEDIA_TYPE);

        assertTrue(store.exists(sha));
        assertArrayEquals(bytes, read(sha));
        assertArrayEquals(bytes, readStaging("u7/0"), "commit leaves the staging object to the caller");
    }

    @Test
    void committingAnExistingArtifactIsANoOp() throws IOException {
        byte[] bytes = randomBytes(40_000, 9);
        String sha = store.putStaging("u8/0", stream(bytes), bytes.length);
        store.commit("u8/0", sha, MEDIA_TYPE);

        store.commit("u8/0", sha, MEDIA_TYPE);
        assertArrayEquals(bytes, read(sha));

        // Different bytes under the same hash can only come from a bug upstream; if commit overwrote, we would see.
        byte[] other = randomBytes(40_000, 10);
        store.putStaging("u8/1", stream(other), other.length);
        store.commit("u8/1", sha, MEDIA_TYPE);
        assertArrayEquals(bytes, read(sha));
    }

    @Test
    void concurrentCommitsOfTheSameArtifactAllSucceed() throws Exception {
        byte[] bytes = randomBytes(2 * MIB, 11);
        String sha = store.putStaging("u9/0", stream(bytes), bytes.length);
        int threads = 8;
        var barrier = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> commits = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                commits.add(pool.submit(() -> {
                    barrier.await();
                    store.commit("u9/0", sha, MEDIA_TYPE);
                    return null;
                }));
            }
            for (Future<?> commit : commits) {
                commit.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(bytes, read(sha));
    }

    @Test
    void committingAMissingStagingKeyIsNotFound() {
        assertNotFound(() -> store.commit("nothing/here", sha256(new byte[] {1}), MEDIA_TYPE));
    }

    @Test
    void deleteStagingRemovesObjectsAndIgnoresUnknownKeys() throws IOException {
        store.putStaging("u10/0", stream(randomBytes(100, 12)), 100);
        byte[] kept = randomBytes(100, 13);
        store.putStaging("u10/1", stream(kept), 100);

        store.deleteStaging(List.of("u10/0", "never/written"));

        assertNotFound(() -> store.openStaging("u10/0"));
        assertArrayEquals(kept, readStaging("u10/1"));
        store.deleteStaging(List.of());
        store.deleteStaging(List.of("u10/0"));
    }

    @Test
    void openingAMissingArtifactIsNotFound() {
        String sha = sha256(new byte[] {42});
        assertFalse(store.exists(sha));
        assertNotFound(() -> store.open(sha));
        assertNotFound(() -> store.openStaging("missing"));
    }

    @Test
    void aTwelveMebibyteArtifactRoundTrips() throws IOException {
        byte[] bytes = randomBytes(12 * MIB, 14);
        String sha = store.putStaging("big/0", stream(bytes), bytes.length);
        assertEquals(sha256(bytes), sha);
        store.commit("big/0", sha, "video/mp4");
        assertArrayEquals(bytes, read(sha));
    }

    /** Small goes through a single PUT on S3, large through a multipart upload. */
    @ParameterizedTest
    @ValueSource(ints = {1, 100_000, 12 * MIB})
    void putVerifiedStoresBytesThatHaveTheirHash(int size) throws IOException {
        byte[] bytes = randomBytes(size, 20);
        String sha = sha256(bytes);
        assertTrue(store.putVerified(sha, stream(bytes), size, MEDIA_TYPE));
        assertTrue(store.exists(sha));
        assertArrayEquals(bytes, read(sha));
        assertTrue(store.putVerified(sha, stream(bytes), size, MEDIA_TYPE), "writing it again is harmless");
        assertArrayEquals(bytes, read(sha));
    }

    /** The check that fails the write: the last byte differs, so everything before it has streamed out already. */
    @ParameterizedTest
    @ValueSource(ints = {1, 100_000, 12 * MIB})
    void putVerifiedStoresNothingWhenTheBytesHaveAnotherHash(int size) {
        byte[] declared = randomBytes(size, 21);
        String sha = sha256(declared);
        byte[] sent = declared.clone();
        sent[size - 1] ^= 1;
        assertFalse(store.putVerified(sha, stream(sent), size, MEDIA_TYPE));
        assertFalse(store.exists(sha));
        assertNotFound(() -> store.open(sha));
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 12 * MIB})
    void putVerifiedOfAShortStreamFailsAndStoresNothing(int size) {
        byte[] whole = randomBytes(size, 22);
        byte[] half = Arrays.copyOf(whole, size / 2);
        var e = assertThrows(
                ArtifactStoreException.class, () -> store.putVerified(sha256(whole), stream(half), size, MEDIA_TYPE));
        assertFalse(e.isTransient(), "a truncated upload will not get better by retrying the store");
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
        assertFalse(store.exists(sha256(whole)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "/etc/passwd", "a\\..\\x", "", "a//b", ".", "a/./b", "a/"})
    void stagingKeysCannotEscapeTheStagingArea(String key) {
        var put = assertThrows(ArtifactStoreException.class, () -> store.putStaging(key, stream(new byte[1]), 1));
        assertFalse(put.isTransient());
        assertFalse(put.isNotFound());
        assertThrows(ArtifactStoreException.class, () -> store.openStaging(key));
        assertThrows(ArtifactStoreException.class, () -> store.deleteStaging(List.of(key)));
        assertThrows(ArtifactStoreException.class, () -> store.commit(key, sha256(new byte[] {1}), MEDIA_TYPE));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "abc",
                "../../../../../../../../../../../../../../../../../../../../../../etc/passwd",
                "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
            })
    void malformedHashesAreRejected(String sha) {
        var e = assertThrows(ArtifactStoreException.class, () -> store.open(sha));
        assertFalse(e.isTransient());
        assertFalse(e.isNotFound());
        assertThrows(ArtifactStoreException.class, () -> store.exists(sha));
    }

    @Test
    void aWorkingStoreIsHealthy() {
        assertTrue(store.isHealthy());
    }

    // ---- helpers

    byte[] read(String sha) throws IOException {
        try (InputStream in = store.open(sha)) {
            return in.readAllBytes();
        }
    }

    byte[] readStaging(String key) throws IOException {
        try (InputStream in = store.openStaging(key)) {
            return in.readAllBytes();
        }
    }

    static void assertNotFound(Executable call) {
        var e = assertThrows(ArtifactStoreException.class, call);
        assertTrue(e.isNotFound(), () -> "expected not-found, got " + e);
        assertFalse(e.isTransient(), () -> "expected not-found, got " + e);
    }

    static ByteArrayInputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
