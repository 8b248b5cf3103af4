package io.podsync.server.evidence;

import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.UploadStatus;
import io.podsync.protocol.validation.Identifiers;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Secrets;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.ArtifactRow;
import io.podsync.storage.Database;
import io.podsync.storage.UploadRow;
import io.podsync.storage.UploadSegmentRow;
import io.podsync.storage.artifact.ArtifactStore;
import io.podsync.storage.artifact.ArtifactStoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Resumable uploads with tus semantics: declare, then send chunks at offsets. Each chunk is staged in the artifact
 * store as it arrives (so any replica can continue an upload), and counts only when it arrived whole. When the last
 * byte arrives the whole artifact is verified against the declared SHA-256 and size before it is committed to its
 * content address; a mismatch commits nothing. A chunk that is the whole artifact skips staging: it streams to its
 * content address, and the store completes that write only if the bytes have the declared hash.
 */
public final class UploadProcessor {
    public static final String OPEN = "open";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    /**
     * @param maxBytes largest artifact (refused at declaration)
     * @param mediaTypes media types accepted
     * @param maxOpenPerDevice uploads a device may have open at once
     * @param maxChunkBytes largest chunk in one PATCH
     * @param expireAfter an upload untouched for this long is abandoned and cleaned up
     */
    public record Settings(
            long maxBytes, Set<String> mediaTypes, int maxOpenPerDevice, int maxChunkBytes, Duration expireAfter) {}

    private final Database db;
    private final ArtifactStore store;
    private final EvidenceGate gate;
    private final Clock clock;
    private final Settings settings;

    public UploadProcessor(Database db, ArtifactStore store, EvidenceGate gate, Clock clock, Settings settings) {
        this.db = db;
        this.store = store;
        this.gate = gate;
        this.clock = clock;
        this.settings = settings;
    }

    public UploadStatus declare(Principal device, UploadRequest r) {
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
        String mediaType = r.mediaType() == null ? null : r.mediaType().toLowerCase(java.util.Locale.ROOT);
        if (mediaType == null || !settings.mediaTypes().contains(mediaType)) {
            throw new ProblemException(
                    415,
                    "media_type_not_allowed",
                    "Unsupported media type",
                    "mediaType must be one of " + settings.mediaTypes(),
                    "mediaType",
                    null);
        }
        long now = clock.millis();
        return db.write(tx -> {
            if (tx.evidence().findArtifact(r.sha256()).isPresent()) {
                // Someone else finished it: the device's own open upload of it no longer counts against its limit.
                tx.evidence()
                        .openUploadOf(device.deviceId(), r.sha256())
                        .ifPresent(u -> tx.evidence().setUploadStatus(u.uploadId(), COMPLETED, now));
                return stored(r.sha256(), r.size());
            }
            UploadRow open =
                    tx.evidence().openUploadOf(device.deviceId(), r.sha256()).orElse(null);
            if (open != null && open.size() == r.size()) {
                return status(open);
            }
            if (tx.evidence().countOpenUploads(device.deviceId()) >= settings.maxOpenPerDevice()) {
                throw new ProblemException(
                        429,
                        "too_many_uploads",
                        "Too many uploads",
                        "a device may have " + settings.maxOpenPerDevice() + " uploads open; finish one first",
                        null,
                        null);
            }
            UploadRow u = new UploadRow(
                    "up-" + Secrets.random(16),
                    device.deviceId(),
                    device.driverId(),
                    r.sha256(),
                    r.size(),
                    mediaType,
                    r.kind().wire(),
                    0,
                    OPEN,
                    now,
                    now,
                    now + settings.expireAfter().toMillis());
            tx.evidence().insertUpload(u);
            return status(u);
        });
    }

    /** Where an upload stands; finishes one whose bytes all arrived but whose commit failed earlier. */
    public UploadStatus status(Principal device, String uploadId) {
        UploadRow u = find(device, uploadId);
        if (COMPLETED.equals(u.status())) {
            return stored(u.sha256(), u.size());
        }
        if (OPEN.equals(u.status()) && u.offset() == u.size()) {
            return complete(u);
        }
        return status(u);
    }

    /**
     * Takes one chunk at {@code offset}. {@code checksum} is the optional {@code Upload-Checksum} header
     * ({@code sha256 <base64>}).
     */
    public UploadStatus chunk(
            Principal device, String uploadId, Long offset, long length, String checksum, InputStream body) {
        UploadRow u = find(device, uploadId);
        if (COMPLETED.equals(u.status())) {
            return stored(u.sha256(), u.size());
        }
        if (offset == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED, "Upload-Offset", "send the Upload-Offset header");
        }
        if (offset != u.offset()) {
            throw offsetMismatch(u.offset());
        }
        if (length < 0) {
            throw ProblemException.badRequest("length_required", "Content-Length", "send the Content-Length header");
        }
        if (length > settings.maxChunkBytes()) {
            throw ProblemException.tooLarge(
                    "chunk_too_large",
                    "Content-Length",
                    "chunks may have at most " + settings.maxChunkBytes() + " bytes");
        }
        if (offset + length > u.size()) {
            throw ProblemException.tooLarge(
                    "chunk_beyond_size", "Content-Length", "the chunk goes past the declared size " + u.size());
        }
        if (length == 0) {
            return u.offset() == u.size() ? complete(u) : status(u);
        }
        InputStream in = body;
        if (offset == 0) {
            in = checkMediaType(u, body);
        }
        if (offset == 0 && length == u.size() && (checksum == null || checksumMatches(checksum, u.sha256()))) {
            return whole(u, in);
        }
        String key = "uploads/" + u.uploadId() + "/" + offset + "-" + Secrets.random(6);
        String chunkHash;
        try {
            chunkHash = store.putStaging(key, in, length);
        } catch (ArtifactStoreException e) {
            throw cutShort(e);
        }
        if (checksum != null && !checksumMatches(checksum, chunkHash)) {
            store.deleteStaging(List.of(key));
            throw new ProblemException(
                    460,
                    "checksum_mismatch",
                    "Checksum mismatch",
                    "the chunk did not match its Upload-Checksum; it was discarded, send it again",
                    "Upload-Checksum",
                    null);
        }
        long now = clock.millis();
        boolean advanced = db.write(tx -> {
            if (!tx.evidence().advanceUpload(u.uploadId(), offset, offset + length, now)) {
                return false;
            }
            tx.evidence().addSegment(new UploadSegmentRow(u.uploadId(), offset, length, key, chunkHash));
            return true;
        });
        if (!advanced) { // a concurrent chunk for the same offset won
            store.deleteStaging(List.of(key));
            throw offsetMismatch(find(device, uploadId).offset());
        }
        UploadRow now2 = find(device, uploadId);
        return now2.offset() == now2.size() ? complete(now2) : status(now2);
    }

    private InputStream checkMediaType(UploadRow u, InputStream body) {
        BufferedInputStream in = new BufferedInputStream(body, 64 * 1024);
        try {
            in.mark(MediaTypes.HEAD_BYTES);
            byte[] head = in.readNBytes(MediaTypes.HEAD_BYTES);
            in.reset();
            if (!MediaTypes.agree(u.mediaType(), MediaTypes.sniff(head))) {
                db.write(tx -> {
                    tx.evidence().setUploadStatus(u.uploadId(), FAILED, clock.millis());
                    return null;
                });
                throw new ProblemException(
                        415,
                        "media_type_mismatch",
                        "Media type mismatch",
                        "the bytes are not " + u.mediaType() + "; declare the upload again with the right type",
                        "mediaType",
                        null);
            }
            return in;
        } catch (IOException e) {
            throw ProblemException.badRequest("chunk_incomplete", null, "the chunk could not be read");
        }
    }

    /**
     * The artifact in one chunk, the usual case: straight to its content address, verified as it streams (the store
     * refuses to complete a write whose bytes miss the declared hash), then recorded. No staging object, no copy.
     */
    /** A store write that failed: retryable when the store is down, else the chunk ended before its length. */
    private static RuntimeException cutShort(ArtifactStoreException e) {
        if (e.isTransient()) {
            return e;
        }
        return ProblemException.badRequest(
                "chunk_incomplete",
                "Content-Length",
                "the chunk ended before its Content-Length; it was discarded, send it again");
    }

    private UploadStatus whole(UploadRow u, InputStream in) {
        boolean stored;
        try {
            stored = store.putVerified(u.sha256(), in, u.size(), u.mediaType());
        } catch (ArtifactStoreException e) {
            throw cutShort(e);
        }
        long now = clock.millis();
        if (!stored) {
            throw hashMismatch(u, now);
        }
        recordStored(u, now);
        return stored(u.sha256(), u.size());
    }

    private ProblemException hashMismatch(UploadRow u, long now) {
        db.write(tx -> {
            tx.evidence().setUploadStatus(u.uploadId(), FAILED, now);
            return null;
        });
        return new ProblemException(
                422,
                "hash_mismatch",
                "Hash mismatch",
                "the uploaded bytes do not have the declared SHA-256; nothing was stored",
                "sha256",
                null);
    }

    /** The artifact is in the store: record it and release the events that waited for it. */
    private void recordStored(UploadRow u, long now) {
        db.write(tx -> {
            tx.evidence().insertArtifact(new ArtifactRow(u.sha256(), u.size(), u.mediaType(), u.kind(), now));
            tx.evidence().setUploadStatus(u.uploadId(), COMPLETED, now);
            gate.artifactStored(tx, u.sha256(), now);
            return null;
        });
    }

    /** Verifies the whole artifact, commits it, records it and releases the events that waited for it. */
    private UploadStatus complete(UploadRow u) {
        List<UploadSegmentRow> segments = db.read(tx -> tx.evidence().segments(u.uploadId()));
        List<String> staged = new ArrayList<>(
                segments.stream().map(UploadSegmentRow::stagingKey).toList());
        String source;
        String hash;
        if (segments.size() == 1) {
            source = segments.get(0).stagingKey();
            hash = segments.get(0).sha256();
        } else {
            source = "uploads/" + u.uploadId() + "/assembled";
            staged.add(source);
            hash = store.putStaging(source, concatenation(segments), u.size());
        }
        long now = clock.millis();
        if (!hash.equals(u.sha256())) {
            store.deleteStaging(staged);
            throw hashMismatch(u, now);
        }
        store.commit(source, u.sha256(), u.mediaType());
        recordStored(u, now);
        try {
            store.deleteStaging(staged);
        } catch (ArtifactStoreException e) {
            // the abandoned-upload sweep deletes leftovers
        }
        return stored(u.sha256(), u.size());
    }

    private InputStream concatenation(List<UploadSegmentRow> segments) {
        List<InputStream> parts = new ArrayList<>();
        for (UploadSegmentRow s : segments) {
            parts.add(new LazyStream(() -> store.openStaging(s.stagingKey())));
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    /** Deletes uploads nobody finished in time, with their staged chunks. Returns how many. */
    public int sweepAbandoned() {
        long now = clock.millis();
        int n = 0;
        for (UploadRow u : db.read(tx -> tx.evidence().expiredUploads(now, 100))) {
            List<String> keys = new ArrayList<>(db.read(tx -> tx.evidence().segments(u.uploadId())).stream()
                    .map(UploadSegmentRow::stagingKey)
                    .toList());
            keys.add("uploads/" + u.uploadId() + "/assembled");
            store.deleteStaging(keys);
            db.write(tx -> {
                tx.evidence().deleteUpload(u.uploadId());
                return null;
            });
            n++;
        }
        return n;
    }

    private UploadRow find(Principal device, String uploadId) {
        UploadRow u = uploadId == null || uploadId.length() > 64
                ? null
                : db.read(tx -> tx.evidence().findUpload(uploadId)).orElse(null);
        if (u == null || !u.deviceId().equals(device.deviceId())) {
            throw ProblemException.notFound("upload_not_found", "no upload " + uploadId + " of this device");
        }
        if (FAILED.equals(u.status())) {
            throw ProblemException.gone("upload_failed", "this upload failed; declare the artifact again");
        }
        if (!COMPLETED.equals(u.status()) && u.expiresAt() < clock.millis()) {
            throw ProblemException.gone("upload_expired", "this upload was abandoned and expired; declare it again");
        }
        return u;
    }

    private UploadStatus status(UploadRow u) {
        return new UploadStatus(
                UploadStatus.OPEN,
                u.sha256(),
                u.size(),
                u.uploadId(),
                u.offset(),
                Instant.ofEpochMilli(u.expiresAt()),
                settings.maxChunkBytes());
    }

    private static UploadStatus stored(String sha256, long size) {
        return new UploadStatus(UploadStatus.STORED, sha256, size, null, size, null, null);
    }

    private static ProblemException offsetMismatch(long offset) {
        return new ProblemException(
                        409,
                        "offset_mismatch",
                        "Offset mismatch",
                        "the upload is at offset " + offset + "; send from there",
                        "Upload-Offset",
                        null)
                .withHeader("Upload-Offset", String.valueOf(offset));
    }

    private static boolean checksumMatches(String header, String hexHash) {
        String[] parts = header.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("sha256")) {
            throw ProblemException.badRequest(
                    "unsupported_checksum", "Upload-Checksum", "Upload-Checksum must be 'sha256 <base64 digest>'");
        }
        try {
            return java.security.MessageDigest.isEqual(
                    Base64.getDecoder().decode(parts[1]), HexFormat.of().parseHex(hexHash));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(
                    "unsupported_checksum", "Upload-Checksum", "the Upload-Checksum digest is not base64");
        }
    }
}
