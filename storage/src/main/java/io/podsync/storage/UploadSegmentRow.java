package io.podsync.storage;

/** One received chunk of an upload, staged in the artifact store under {@code stagingKey}. */
public record UploadSegmentRow(String uploadId, long offset, long length, String stagingKey, String sha256) {}
