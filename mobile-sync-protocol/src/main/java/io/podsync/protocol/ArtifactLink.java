package io.podsync.protocol;

import java.time.Instant;

/** A short-lived URL to read an artifact. {@code presigned} false: the URL needs the caller's bearer token. */
public record ArtifactLink(
        String sha256, String mediaType, long size, String url, boolean presigned, Instant expiresAt) {}
