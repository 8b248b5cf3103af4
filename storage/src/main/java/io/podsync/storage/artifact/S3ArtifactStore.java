package io.podsync.storage.artifact;

import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.Directive;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InternalException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.http.HttpUtils;
import io.minio.http.Method;
import io.minio.messages.DeleteError;
import io.minio.messages.DeleteObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;

/**
 * Artifacts in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...), through the MinIO Java client.
 *
 * <p>Object keys, below the configured {@link S3Config#prefix()}:
 *
 * <ul>
 *   <li>{@code <prefix>sha256/ab/cd/abcd...} — committed artifacts ({@link ArtifactStore#artifactKey}), with the
 *       media type given at commit as their {@code Content-Type};
 *   <li>{@code <prefix>staging/<key>} — staging objects ({@link ArtifactStore#stagingKey}), {@code
 *       application/octet-stream}.
 * </ul>
 *
 * <p>A lifecycle rule that expires {@code <prefix>staging/} after a few days is a good safety net for abandoned
 * uploads. Commit is a server-side copy, so artifact bytes never pass through the server twice; S3 caps a single copy
 * at 5 GiB, far above any evidence file.
 *
 * <p>Thread-safe; share one instance. {@link #close()} releases the HTTP connection pool.
 */
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {
    // minio's defaults are five minutes each, which turns a dead endpoint into a hung request; readiness probes
    // and upload handlers should fail fast and let the device retry.
    private static final long CONNECT_TIMEOUT_MILLIS = Duration.ofSeconds(10).toMillis();
    private static final long IO_TIMEOUT_MILLIS = Duration.ofSeconds(60).toMillis();

    /** The longest expiry S3 SigV4 accepts for a presigned URL. */
    static final Duration MAX_PRESIGN_TTL = Duration.ofDays(7);

    private static final String STAGING_CONTENT_TYPE = "application/octet-stream";

    // Error codes that say "try again" rather than "this request is wrong".
    private static final Set<String> TRANSIENT_CODES =
            Set.of("InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "RequestTimeTooSkewed");

    private final S3Config config;
    private final MinioClient client;
    private final S3StreamingPut streamingPut;

    /**
     * Connects and makes sure the bucket exists, creating it when missing. Throws {@link ArtifactStoreException}
     * (transient when the endpoint cannot be reached) so the caller decides whether to start without it, and
     * {@link IllegalArgumentException} for an endpoint that is not a URL.
     */
    public S3ArtifactStore(S3Config config) {
        // minio's own factory, so that its SSL_CERT_FILE support keeps working.
        this(config, httpClient(config), true);
    }

    private static OkHttpClient httpClient(S3Config config) {
        OkHttpClient.Builder b = HttpUtils.newDefaultHttpClient(
                        CONNECT_TIMEOUT_MILLIS, IO_TIMEOUT_MILLIS, IO_TIMEOUT_MILLIS)
                .newBuilder()
                .socketFactory(new NoDelaySocketFactory());
        if (config.endpoint().startsWith("http://")) {
            // minio derives a client per PUT; with TLS configured OkHttp then compares the whole trust store (every
            // CA certificate) to see whether it changed, which was a tenth of the server's CPU during uploads.
            b.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
        }
        return b.build();
    }

    /**
     * With a caller's HTTP client. Building one loads the JDK trust store (a fifth of a second), which adds up in
     * tests that make a store per test; they share one client instead.
     */
    S3ArtifactStore(S3Config config, OkHttpClient httpClient, boolean closeHttpClient) {
        this.config = config;
        MinioClient.Builder builder =
                MinioClient.builder().endpoint(config.endpoint()).httpClient(httpClient, closeHttpClient);
        if (config.region() != null) {
            builder.region(config.region());
        }
        if (config.accessKey() != null) {
            builder.credentials(config.accessKey(), config.secretKey());
        }
        this.client = builder.build();
        this.streamingPut = new S3StreamingPut(httpClient, config);
        ensureBucket();
    }

    @Override
    public String putStaging(String key, InputStream in, long size) {
        String object = stagingObject(key);
        var metered = new MeteredInputStream(in, size);
        try {
            // Part size -1: minio picks it, and switches to a multipart upload (aborted on failure) above 5 MiB.
            client.putObject(PutObjectArgs.builder().bucket(config.bucket()).object(object).stream(metered, size, -1)
                    .contentType(STAGING_CONTENT_TYPE)
                    .build());
        } catch (Exception e) {
            if (metered.wasCutShort()) {
                throw metered.cutShort(key, e);
            }
            throw failure("cannot write staging key " + key, e);
        }
        if (metered.count() != size) {
            // minio sends Content-Length = size, so a successful upload read them all; if not, do not keep it.
            deleteStaging(List.of(key));
            throw metered.cutShort(key, null);
        }
        return metered.sha256Hex();
    }

    @Override
    public InputStream openStaging(String key) {
        String object = stagingObject(key);
        return call(
                "cannot read staging key " + key,
                () -> client.getObject(GetObjectArgs.builder()
                        .bucket(config.bucket())
                        .object(object)
                        .build()));
    }

    @Override
    public void deleteStaging(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        List<DeleteObject> objects =
                keys.stream().map(k -> new DeleteObject(stagingObject(k))).toList();
        call("cannot delete staging keys", () -> {
            // removeObjects is lazy: nothing is deleted until the results are iterated.
            Iterable<Result<DeleteError>> results = client.removeObjects(RemoveObjectsArgs.builder()
                    .bucket(config.bucket())
                    .objects(objects)
                    .build());
            for (Result<DeleteError> result : results) {
                DeleteError error = result.get();
                if (!"NoSuchKey".equals(error.code())) {
                    throw new ArtifactStoreException(
                            "cannot delete staging object " + error.objectName() + ": " + error.code() + " "
                                    + error.message(),
                            null,
                            TRANSIENT_CODES.contains(error.code()),
                            false);
                }
            }
            return null;
        });
    }

    /**
     * Up to this size (more than any artifact the default limits allow) one streamed PUT; above it a multipart upload
     * through minio, which holds each part in memory.
     */
    static final long SINGLE_PUT_MAX = 32L * 1024 * 1024;

    @Override
    public boolean putVerified(String sha256, InputStream in, long size, String mediaType) {
        ArtifactStore.requireBytes(size);
        String object = artifactObject(sha256);
        var verifying = new MeteredInputStream(in, size, sha256);
        try {
            // The stream fails before its last byte when the hash is wrong: the PUT is then never completed (nor the
            // multipart upload, which minio aborts), so no object appears under the content address.
            if (size <= SINGLE_PUT_MAX) {
                S3StreamingPut.Refusal refusal = streamingPut.put(object, sha256, verifying, size, mediaType);
                if (refusal != null) {
                    return refused(sha256, refusal);
                }
            } else {
                client.putObject(
                        PutObjectArgs.builder().bucket(config.bucket()).object(object).stream(verifying, size, -1)
                                .contentType(mediaType)
                                .build());
            }
        } catch (ArtifactStoreException e) {
            throw e;
        } catch (Exception e) {
            if (verifying.wasMismatched()) {
                return false;
            }
            if (verifying.wasCutShort()) {
                throw verifying.cutShort(sha256, e);
            }
            throw failure("cannot write artifact " + sha256, e);
        }
        return true;
    }

    /** False when the S3 server found that the bytes do not have their hash; else the refusal as a failure. */
    private static boolean refused(String sha256, S3StreamingPut.Refusal r) {
        if ("XAmzContentSHA256Mismatch".equals(r.code()) || "BadDigest".equals(r.code())) {
            return false;
        }
        String what = "cannot write artifact " + sha256 + ": " + r.status() + " " + r.code() + " " + r.message();
        boolean transientFailure = r.status() >= 500
                || r.status() == 429
                || TRANSIENT_CODES.contains(r.code())
                // As for minio's calls: a missing bucket is the operator's to fix; devices keep their evidence.
                || "NoSuchBucket".equals(r.code());
        throw new ArtifactStoreException(what, null, transientFailure, false);
    }

    @Override
    public void commit(String stagingKey, String sha256, String mediaType) {
        String source = stagingObject(stagingKey);
        String target = artifactObject(sha256);
        if (exists(sha256)) {
            return;
        }
        // Two committers racing past the check both copy the same bytes; S3 makes each copy atomic for readers.
        call(
                "cannot commit " + sha256 + " from staging key " + stagingKey,
                () -> client.copyObject(CopyObjectArgs.builder()
                        .bucket(config.bucket())
                        .object(target)
                        .source(CopySource.builder()
                                .bucket(config.bucket())
                                .object(source)
                                .build())
                        .metadataDirective(Directive.REPLACE)
                        .headers(Map.of("Content-Type", mediaType))
                        .build()));
    }

    @Override
    public boolean exists(String sha256) {
        String object = artifactObject(sha256);
        try {
            call(
                    "cannot look up artifact " + sha256,
                    () -> client.statObject(StatObjectArgs.builder()
                            .bucket(config.bucket())
                            .object(object)
                            .build()));
            return true;
        } catch (ArtifactStoreException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public InputStream open(String sha256) {
        String object = artifactObject(sha256);
        return call(
                "cannot read artifact " + sha256,
                () -> client.getObject(GetObjectArgs.builder()
                        .bucket(config.bucket())
                        .object(object)
                        .build()));
    }

    /**
     * Signs locally (no request when the region is configured) whether or not the artifact exists. The URL uses the
     * configured endpoint, so devices can only use it if they can reach that endpoint. The TTL is capped at 7 days.
     */
    @Override
    public Optional<URI> presignedGet(String sha256, Duration ttl) {
        String object = artifactObject(sha256);
        long seconds = Math.clamp(ttl.toSeconds(), 1, MAX_PRESIGN_TTL.toSeconds());
        String url = call(
                "cannot presign artifact " + sha256,
                () -> client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                        .method(Method.GET)
                        .bucket(config.bucket())
                        .object(object)
                        .expiry((int) seconds)
                        .build()));
        return Optional.of(URI.create(url));
    }

    @Override
    public boolean isHealthy() {
        try {
            return client.bucketExists(
                    BucketExistsArgs.builder().bucket(config.bucket()).build());
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            // Only the connection pool is released here; nothing to recover.
        }
    }

    @Override
    public String toString() {
        return "S3ArtifactStore[" + config + "]";
    }

    private String artifactObject(String sha256) {
        return config.prefix() + ArtifactStore.artifactKey(Keys.requireSha256(sha256));
    }

    private String stagingObject(String key) {
        return config.prefix() + ArtifactStore.stagingKey(Keys.requireStagingKey(key));
    }

    private void ensureBucket() {
        String bucket = config.bucket();
        String what = "cannot reach bucket " + bucket + " at " + config.endpoint();
        if (call(
                what,
                () -> client.bucketExists(
                        BucketExistsArgs.builder().bucket(bucket).build()))) {
            return;
        }
        try {
            call("cannot create bucket " + bucket, () -> {
                MakeBucketArgs.Builder args = MakeBucketArgs.builder().bucket(bucket);
                if (config.region() != null) {
                    args.region(config.region());
                }
                client.makeBucket(args.build());
                return null;
            });
        } catch (ArtifactStoreException e) {
            // Another replica starting at the same time may have created it first.
            if (!call(
                    what,
                    () -> client.bucketExists(
                            BucketExistsArgs.builder().bucket(bucket).build()))) {
                throw e;
            }
        }
    }

    @FunctionalInterface
    private interface MinioCall<T> {
        T call() throws Exception;
    }

    private static <T> T call(String what, MinioCall<T> call) {
        try {
            return call.call();
        } catch (ArtifactStoreException e) {
            throw e;
        } catch (Exception e) {
            throw failure(what, e);
        }
    }

    /** Sorts minio's exceptions into "retry later", "not there" and "will not work". */
    static ArtifactStoreException failure(String what, Exception e) {
        if (e instanceof ErrorResponseException response) {
            String code = response.errorResponse().code();
            int status = response.response() == null ? 0 : response.response().code();
            return switch (code) {
                case "NoSuchKey" -> new ArtifactStoreException(what + ": no such object", e, false, true);
                // Transient on purpose: a missing bucket is an operator's mistake to fix, and until then devices
                // should keep their evidence and retry rather than give up on it.
                case "NoSuchBucket" -> new ArtifactStoreException(what + ": the bucket does not exist", e, true, false);
                default ->
                    new ArtifactStoreException(
                            what + ": " + code + " " + response.errorResponse().message(),
                            e,
                            status >= 500 || status == 429 || TRANSIENT_CODES.contains(code),
                            false);
            };
        }
        // InvalidResponseException is a non-XML answer, typically a proxy's 502/503 page.
        boolean transientFailure = e instanceof IOException
                || e instanceof ServerException
                || e instanceof InternalException
                || e instanceof InvalidResponseException
                || hasIoCause(e);
        return new ArtifactStoreException(what + ": " + e, e, transientFailure, false);
    }

    // minio wraps failures of its async machinery (interrupts, unexpected executor errors) in RuntimeException.
    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != e; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
