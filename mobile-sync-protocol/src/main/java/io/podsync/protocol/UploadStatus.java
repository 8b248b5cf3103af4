package io.podsync.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;

/**
 * Where an upload stands.
 *
 * @param status {@code stored} (the server has the artifact: stop sending) or {@code open} (send from {@code offset})
 * @param uploadId the upload; for an artifact the server had already, a completed upload of this device (its tus
 *     {@code HEAD} says the offset is the size)
 * @param maxChunkBytes the largest chunk the server takes in one PATCH
 */
public record UploadStatus(
        String status,
        String sha256,
        long size,
        String uploadId,
        long offset,
        Instant expiresAt,
        Integer maxChunkBytes) {
    public static final String STORED = "stored";
    public static final String OPEN = "open";

    /** Not a field of the wire format (without the annotation Jackson would add a {@code stored} property). */
    @JsonIgnore
    public boolean isStored() {
        return STORED.equals(status);
    }
}
