package io.podsync.server.evidence;

import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.validation.Identifiers;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.UploadRow;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The checks of an upload that need nothing stored: a declaration against the settings, and a chunk's tus headers
 * ({@code Upload-Offset}, {@code Content-Length}, {@code Upload-Checksum}) against the upload. Each refusal is a
 * problem with a stable code and the field or header named.
 */
final class UploadChecks {
    private UploadChecks() {}

    /** Checks a declaration; returns its media type in lower case. */
    static String declaration(UploadRequest r, UploadProcessor.Settings settings) {
        if (r.sha256() == null || !Identifiers.isSha256(r.sha256())) {
            throw ProblemException.badRequest(
                    ViolationCodes.INVALID_FORMAT, "sha256", "sha256 must be 64 lowercase hex digits");
        }
        if (r.size() == null || r.size() < 1) {
            throw ProblemException.badRequest(ViolationCodes.REQUIRED, "size", "size (bytes, at least 1) is required");
        }
        if (r.size() > settings.maxBytes()) {
            throw ProblemException.tooLarge(
                    "artifact_too_large", "size", "artifacts may have at most " + settings.maxBytes() + " bytes");
        }
        if (r.kind() == null) {
            throw ProblemException.badRequest(ViolationCodes.REQUIRED, "kind", "kind is signature, photo or document");
        }
        String mediaType = r.mediaType() == null ? null : r.mediaType().toLowerCase(Locale.ROOT);
        if (mediaType == null || !settings.mediaTypes().contains(mediaType)) {
            throw new ProblemException(
                    415,
                    "media_type_not_allowed",
                    "Unsupported media type",
                    "mediaType must be one of " + settings.mediaTypes(),
                    "mediaType",
                    null);
        }
        return mediaType;
    }

    /** A chunk must start where the upload stands. */
    static void offset(UploadRow u, Long offset) {
        if (offset == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED, "Upload-Offset", "send the Upload-Offset header");
        }
        if (offset != u.offset()) {
            throw offsetMismatch(u.offset());
        }
    }

    /** A chunk of known length must fit the chunk limit and the declared size. */
    static void length(UploadRow u, long offset, long length, int maxChunkBytes) {
        if (length > maxChunkBytes) {
            throw ProblemException.tooLarge(
                    "chunk_too_large", "Content-Length", "chunks may have at most " + maxChunkBytes + " bytes");
        }
        if (offset + length > u.size()) {
            throw ProblemException.tooLarge(
                    "chunk_beyond_size", "Content-Length", "the chunk goes past the declared size " + u.size());
        }
    }

    /** 409 with the offset the upload stands at, in the body and in {@code Upload-Offset}. */
    static ProblemException offsetMismatch(long offset) {
        return new ProblemException(
                        409,
                        "offset_mismatch",
                        "Offset mismatch",
                        "the upload is at offset " + offset + "; send from there",
                        "Upload-Offset",
                        null)
                .withHeader("Upload-Offset", String.valueOf(offset));
    }

    /** 460 (tus's checksum mismatch): the chunk was discarded. */
    static ProblemException checksumMismatch() {
        return new ProblemException(
                460,
                "checksum_mismatch",
                "Checksum mismatch",
                "the chunk did not match its Upload-Checksum; it was discarded, send it again",
                "Upload-Checksum",
                null);
    }

    /** Whether an {@code Upload-Checksum} header ({@code sha256 <base64>}) names this hex SHA-256. */
    static boolean checksumMatches(String header, String hexHash) {
        String[] parts = header.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("sha256")) {
            throw ProblemException.badRequest(
                    "unsupported_checksum", "Upload-Checksum", "Upload-Checksum must be 'sha256 <base64 digest>'");
        }
        try {
            return MessageDigest.isEqual(
                    Base64.getDecoder().decode(parts[1]), HexFormat.of().parseHex(hexHash));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(
                    "unsupported_checksum", "Upload-Checksum", "the Upload-Checksum digest is not base64");
        }
    }
}
