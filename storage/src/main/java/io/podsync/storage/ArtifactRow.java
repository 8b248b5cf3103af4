package io.podsync.storage;

/** A stored, verified artifact. */
public record ArtifactRow(String sha256, long size, String mediaType, String kind, long storedAt) {}
