package io.podsync.protocol;

/**
 * A reference from an event to a piece of evidence, by the SHA-256 of its bytes (lowercase hex). The bytes travel
 * separately through the upload API.
 */
public record EvidenceRef(String sha256, EvidenceKind kind, String mediaType) {}
