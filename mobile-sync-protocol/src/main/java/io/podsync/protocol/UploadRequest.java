package io.podsync.protocol;

/**
 * A device declares an artifact before sending its bytes. If the server has the hash already it says so at once and
 * no bytes travel.
 *
 * @param sha256 lowercase hex SHA-256 of the whole artifact
 * @param size bytes
 * @param mediaType e.g. {@code image/jpeg}; checked against the bytes themselves
 */
public record UploadRequest(String sha256, Long size, String mediaType, EvidenceKind kind) {}
