package io.podsync.storage.artifact;

/**
 * Where an S3-compatible artifact store is.
 *
 * @param endpoint base URL, e.g. {@code https://s3.eu-central-1.amazonaws.com} or {@code http://minio:9000}
 * @param region the bucket's region; blank lets the client ask the server, which costs a request per bucket and
 *     needs permission to read the bucket location
 * @param bucket created on start-up when missing
 * @param accessKey blank together with {@code secretKey} for anonymous access
 * @param secretKey never printed
 * @param prefix prepended to every object key so several deployments can share a bucket; blank for none. A prefix
 *     without a trailing slash gets one: {@code podsync} means the folder {@code podsync/}
 */
public record S3Config(
        String endpoint, String region, String bucket, String accessKey, String secretKey, String prefix) {
    public S3Config {
        if (isBlank(endpoint)) {
            throw new IllegalArgumentException("s3 endpoint is required");
        }
        if (isBlank(bucket)) {
            throw new IllegalArgumentException("s3 bucket is required");
        }
        if (isBlank(accessKey) != isBlank(secretKey)) {
            throw new IllegalArgumentException("s3 access key and secret key go together");
        }
        region = isBlank(region) ? null : region.strip();
        accessKey = isBlank(accessKey) ? null : accessKey;
        secretKey = isBlank(secretKey) ? null : secretKey;
        prefix = isBlank(prefix) ? "" : prefix.endsWith("/") ? prefix : prefix + "/";
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("s3 prefix must not start with '/': " + prefix);
        }
    }

    /** Everything but the secret key, for logs. */
    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", accessKey="
                + accessKey + ", secretKey=" + (secretKey == null ? "none" : "****") + ", prefix=" + prefix + "]";
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
