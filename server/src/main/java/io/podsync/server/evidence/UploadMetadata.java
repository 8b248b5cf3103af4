package io.podsync.server.evidence;

import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.http.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The declaration of an upload in tus headers: {@code Upload-Length: <size>} and {@code Upload-Metadata}, comma-separated
 * {@code key base64(value)} pairs with the keys {@code sha256}, {@code mediaType} (or {@code filetype}, the name
 * tus-js-client and Uppy use for it) and {@code kind}. Other keys (such as {@code filename}) are ignored, and a key
 * may come without a value, as tus allows. Only the format is checked here; the values go through the same checks as
 * a JSON declaration.
 */
final class UploadMetadata {
    private static final int MAX_LENGTH = 1024;

    private UploadMetadata() {}

    static UploadRequest parse(String metadata, String uploadLength) {
        if (uploadLength == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED,
                    "Upload-Length",
                    "send Upload-Length: the artifact's size in bytes (deferred lengths are not supported)");
        }
        if (metadata == null || metadata.isBlank() || metadata.length() > MAX_LENGTH) {
            throw invalid("send Upload-Metadata with sha256, mediaType and kind (base64 values), at most 1 KiB");
        }
        Map<String, String> values = new HashMap<>();
        for (String pair : metadata.split(",")) {
            String[] kv = pair.trim().split(" ", 2);
            if (kv[0].isEmpty() || values.containsKey(kv[0])) {
                throw invalid("Upload-Metadata is comma-separated 'key base64value' pairs, each key once");
            }
            try {
                String value = kv.length == 2 ? kv[1].trim() : "";
                values.put(kv[0], new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw invalid("the value of '" + kv[0] + "' in Upload-Metadata is not base64");
            }
        }
        long size;
        try {
            size = Long.parseLong(uploadLength.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(
                    ViolationCodes.INVALID_FORMAT,
                    "Upload-Length",
                    "Upload-Length must be the artifact's size in bytes");
        }
        String mediaType = values.containsKey("mediaType") ? values.get("mediaType") : values.get("filetype");
        return new UploadRequest(values.get("sha256"), size, emptyToNull(mediaType), kind(values.get("kind")));
    }

    /** The {@code Upload-Metadata} a HEAD answer carries for an upload: its declared hash. */
    static String of(String sha256) {
        return "sha256 " + Base64.getEncoder().encodeToString(sha256.getBytes(StandardCharsets.UTF_8));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static EvidenceKind kind(String wire) {
        if (wire == null || wire.isEmpty()) {
            return null;
        }
        for (EvidenceKind k : EvidenceKind.values()) {
            if (k.wire().equals(wire)) {
                return k;
            }
        }
        throw ProblemException.badRequest(
                ViolationCodes.UNKNOWN_VALUE, "Upload-Metadata", "kind must be signature, photo or document");
    }

    private static ProblemException invalid(String detail) {
        return ProblemException.badRequest(ViolationCodes.INVALID_FORMAT, "Upload-Metadata", detail);
    }
}
