package io.podsync.storage.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import io.minio.RemoveBucketArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.http.HttpUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Runs the contract against a real S3 server (S3Proxy, in this JVM), each test in a bucket of its own. */
class S3ArtifactStoreTest extends ArtifactStoreContract {
    private static final String PREFIX = "podsync/";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir
    static Path s3Dir;

    static S3ProxyServer s3;
    static MinioClient raw;
    // One client for all stores: building one costs a fifth of a second (it loads the JDK trust store).
    static OkHttpClient http;

    String bucket;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start(s3Dir);
        http = HttpUtils.newDefaultHttpClient(10_000, 10_000, 10_000);
        raw = MinioClient.builder()
                .httpClient(http)
                .endpoint(s3.endpoint().toString())
                .region(S3ProxyServer.REGION)
                .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
                .build();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    protected ArtifactStore newStore() {
        bucket = "podsync-test-" + BUCKETS.incrementAndGet();
        return new S3ArtifactStore(s3.config(bucket, PREFIX), http, false);
    }

    @AfterEach
    void closeStore() {
        ((S3ArtifactStore) store).close();
    }

    @Test
    void startingCreatesTheBucket() throws Exception {
        assertTrue(raw.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
        // A second replica starting against the existing bucket is fine.
        try (var again = new S3ArtifactStore(s3.config(bucket, PREFIX))) {
            assertTrue(again.isHealthy());
        }
    }

    @Test
    void objectsLiveAtTheDocumentedKeysWithTheCommittedMediaType() throws Exception {
        byte[] bytes = randomBytes(1000, 30);
        String sha = store.putStaging("upload-1/00001", stream(bytes), bytes.length);
        store.commit("upload-1/00001", sha, MEDIA_TYPE);

        String artifactKey = "podsync/sha256/" + sha.substring(0, 2) + "/" + sha.substring(2, 4) + "/" + sha;
        StatObjectResponse artifact = stat(artifactKey);
        assertEquals(bytes.length, artifact.size());
        assertEquals(MEDIA_TYPE, artifact.contentType());
        assertEquals(bytes.length, stat("podsync/staging/upload-1/00001").size());
    }

    @Test
    void aVerifiedPutIsOneObjectAtItsContentAddressWithItsMediaType() throws Exception {
        byte[] bytes = randomBytes(3000, 33);
        String sha = sha256(bytes);
        assertTrue(store.putVerified(sha, stream(bytes), bytes.length, MEDIA_TYPE));

        StatObjectResponse artifact =
                stat("podsync/sha256/" + sha.substring(0, 2) + "/" + sha.substring(2, 4) + "/" + sha);
        assertEquals(bytes.length, artifact.size());
        assertEquals(MEDIA_TYPE, artifact.contentType());
    }

    @Test
    void aVerifiedPutIsSignedRightUnderAPrefixThatNeedsEscaping() {
        // The signature covers the escaped path: a prefix with spaces, plus and parentheses must still be accepted
        // by a server that checks signatures, and land where minio's own calls find it.
        try (var escaped = new S3ArtifactStore(s3.config(bucket, "evidence+photos (2026)/tenant=a"), http, false)) {
            byte[] bytes = randomBytes(2000, 34);
            String sha = sha256(bytes);
            assertTrue(escaped.putVerified(sha, stream(bytes), bytes.length, MEDIA_TYPE));
            assertTrue(escaped.exists(sha));
            assertFalse(store.exists(sha), "not under the other prefix");
        }
    }

    @Test
    void aPresignedUrlReadsTheArtifactWithoutCredentials() throws Exception {
        byte[] bytes = randomBytes(5000, 31);
        String sha = store.putStaging("p/0", stream(bytes), bytes.length);
        store.commit("p/0", sha, MEDIA_TYPE);

        URI url = store.presignedGet(sha, Duration.ofMinutes(5)).orElseThrow();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> response =
                    http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertArrayEquals(bytes, response.body());
            assertEquals(
                    MEDIA_TYPE, response.headers().firstValue("Content-Type").orElse(null));

            URI unsigned = URI.create(url.toString().substring(0, url.toString().indexOf('?')));
            HttpResponse<byte[]> denied =
                    http.send(HttpRequest.newBuilder(unsigned).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(403, denied.statusCode(), "the bucket itself is not public");
        }
    }

    @Test
    void presignedUrlsExpireAfterAtMostSevenDays() {
        URI url =
                store.presignedGet(sha256(new byte[] {1}), Duration.ofDays(30)).orElseThrow();
        assertTrue(url.getQuery().contains("X-Amz-Expires=604800"), url.toString());
    }

    @Test
    void aStoppedServerIsATransientFailure(@TempDir Path dir) throws Exception {
        S3ProxyServer dying = S3ProxyServer.start(dir);
        try (var dead = new S3ArtifactStore(dying.config("doomed", ""))) {
            byte[] bytes = randomBytes(100, 32);
            String sha = dead.putStaging("k", stream(bytes), bytes.length);
            dying.stop();

            assertTransient(() -> dead.exists(sha));
            assertTransient(() -> dead.putStaging("k2", stream(bytes), bytes.length));
            assertTransient(() -> dead.putVerified(sha, stream(bytes), bytes.length, MEDIA_TYPE));
            assertTransient(() -> dead.open(sha));
            assertTransient(() -> dead.commit("k", sha, MEDIA_TYPE));
            assertTransient(() -> dead.deleteStaging(List.of("k")));
            assertFalse(dead.isHealthy());
            assertTransient(() -> new S3ArtifactStore(dying.config("doomed", "")));
        } finally {
            dying.close();
        }
    }

    @Test
    void aVanishedBucketIsTransientNotNotFound() throws Exception {
        raw.removeBucket(RemoveBucketArgs.builder().bucket(bucket).build());
        assertFalse(store.isHealthy());
        assertTransient(() -> store.open(sha256(new byte[] {1})));
        byte[] bytes = randomBytes(100, 35);
        assertTransient(() -> store.putVerified(sha256(bytes), stream(bytes), bytes.length, MEDIA_TYPE));
    }

    private static void assertTransient(Executable call) {
        var e = assertThrows(ArtifactStoreException.class, call);
        assertTrue(e.isTransient(), () -> "expected a transient failure, got " + e);
        assertFalse(e.isNotFound());
    }

    private StatObjectResponse stat(String key) throws Exception {
        return raw.statObject(
                StatObjectArgs.builder().bucket(bucket).object(key).build());
    }
}
