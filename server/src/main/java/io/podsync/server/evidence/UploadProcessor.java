package io.podsync.server.evidence;

import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.UploadStatus;
import io.podsync.protocol.validation.Identifiers;
import io.podsync.protocol.validation.ViolationCodes;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Secrets;
import io.podsync.server.http.ProblemException;
import io.podsync.server.observe.Telemetry;
import io.podsync.storage.ArtifactRow;
import io.podsync.storage.Database;
import io.podsync.storage.UploadRow;
import io.podsync.storage.UploadSegmentRow;
import io.podsync.storage.artifact.ArtifactStore;
import io.podsync.storage.artifact.ArtifactStoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The largest artifact, as tus's {@code Tus-Max-Size}. */
    public long maxBytes() {
        return settings.maxBytes();
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
                // Someone else finished it: the device's own open upload of it no longer counts against its limit,
                // and becomes the completed upload this answer points to. Without one, a completed upload is
                // recorded, so that a tus client has an upload URL whose offset says "done" and sends nothing more.
                UploadRow done = tx.evidence()
                        .openUploadOf(device.deviceId(), r.sha256())
                        .orElse(null);
                if (done != null) {
                    tx.evidence().setUploadStatus(done.uploadId(), COMPLETED, now);
                    return stored(done.uploadId(), r.sha256(), r.size());
                }
                String id = newId();
                tx.evidence().insertUpload(row(id, device, r, mediaType, r.size(), COMPLETED, now));
                return stored(id, r.sha256(), r.size());
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
            UploadRow u = row(newId(), device, r, mediaType, 0, OPEN, now);
            tx.evidence().insertUpload(u);
            return status(u);
        });
    }

    private static String newId() {
        return "up-" + Secrets.random(16);
    }

    private UploadRow row(
            String id, Principal device, UploadRequest r, String mediaType, long offset, String status, long now) {
        return new UploadRow(
                id,
                device.deviceId(),
                device.driverId(),
                r.sha256(),
                r.size(),
                mediaType,
                r.kind().wire(),
                offset,
                status,
                now,
                now,
                now + settings.expireAfter().toMillis());
    }

    /** Where an upload stands; finishes one whose bytes all arrived but whose commit failed earlier. */
    public UploadStatus status(Principal device, String uploadId) {
        UploadRow u = find(device, uploadId);
        if (COMPLETED.equals(u.status())) {
            return stored(u.uploadId(), u.sha256(), u.size());
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
        return Telemetry.span("podsync.upload", () -> {
            Telemetry.attribute("podsync.upload_id", uploadId);
            Telemetry.attribute("podsync.chunk_bytes", length);
            return chunked(device, uploadId, offset, length, checksum, body);
        });
    }

    private UploadStatus chunked(
            Principal device, String uploadId, Long offset, long length, String checksum, InputStream body) {
        UploadRow u = find(device, uploadId);
        if (COMPLETED.equals(u.status())) {
            return readOff(u, offset, body);
        }
        if (offset == null) {
            throw ProblemException.badRequest(
                    ViolationCodes.REQUIRED, "Upload-Offset", "send the Upload-Offset header");
        }
        if (offset != u.offset()) {
            throw offsetMismatch(u.offset());
        }
        if (length < 0) {
            return spooled(device, u, offset, checksum, body);
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

    /**
     * A PATCH to a completed upload: the artifact is stored, so the bytes are read off unused, and the answer is the
     * offset they would have reached (at most the size). A tus client that created an upload of an artifact the
     * server had is thus carried through to the end whatever its chunk size, without a byte stored or hashed.
     */
    private static UploadStatus readOff(UploadRow u, Long offset, InputStream body) {
        long taken;
        try {
            taken = body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw ProblemException.badRequest("chunk_incomplete", null, "the chunk could not be read");
        }
        long at = offset == null ? u.size() : Math.min(u.size(), offset + taken);
        return new UploadStatus(UploadStatus.STORED, u.sha256(), u.size(), u.uploadId(), at, null, null);
    }

    /**
     * A chunk without {@code Content-Length} ({@code Transfer-Encoding: chunked}, as tus-java-client sends): spooled
     * to a temporary file, at most as many bytes as the upload has left and a chunk may have, then taken as a chunk of
     * that length. A body cut off is discarded, as any other.
     */
    private UploadStatus spooled(Principal device, UploadRow u, long offset, String checksum, InputStream body) {
        long room = Math.min(settings.maxChunkBytes(), u.size() - offset);
        Path spool = null;
        try {
            spool = Files.createTempFile("podsync-chunk-", ".part");
            long length = 0;
            try (OutputStream out = Files.newOutputStream(spool)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                // one byte past the room tells a chunk that is too long
                while (length <= room
                        && (n = body.read(buffer, 0, (int) Math.min(buffer.length, room + 1 - length))) > 0) {
                    out.write(buffer, 0, n);
                    length += n;
                }
            } catch (IOException e) {
                throw ProblemException.badRequest(
                        "chunk_incomplete", null, "the chunk was cut off; it was discarded, send it again");
            }
            if (length > room) {
                throw ProblemException.tooLarge(
                        "chunk_beyond_size",
                        "Content-Length",
                        "the chunk goes past the declared size " + u.size() + " or the chunk limit "
                                + settings.maxChunkBytes());
            }
            try (InputStream in = Files.newInputStream(spool)) {
                return chunk(device, u.uploadId(), offset, length, checksum, in);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("spooling a chunk to a temporary file failed", e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    // the temporary directory is the system's to clean
                }
            }
        }
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
        return stored(u.uploadId(), u.sha256(), u.size());
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
        return stored(u.uploadId(), u.sha256(), u.size());
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
            discard(u);
            n++;
        }
        return n;
    }

    /**
     * tus termination: an open upload is deleted with its staged chunks, and frees its place among the device's open
     * uploads; afterwards the upload is not found. A completed upload stays as it is: its artifact is stored by
     * content, may be referenced by events, and is not the device's to delete.
     */
    public void terminate(Principal device, String uploadId) {
        UploadRow u = find(device, uploadId);
        if (!COMPLETED.equals(u.status())) {
            discard(u);
        }
    }

    /** Deletes an unfinished upload: its staged chunks first, then its rows. */
    private void discard(UploadRow u) {
        List<String> keys = new ArrayList<>(db.read(tx -> tx.evidence().segments(u.uploadId())).stream()
                .map(UploadSegmentRow::stagingKey)
                .toList());
        keys.add("uploads/" + u.uploadId() + "/assembled");
        store.deleteStaging(keys);
        db.write(tx -> {
            tx.evidence().deleteUpload(u.uploadId());
            return null;
        });
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

    private static UploadStatus stored(String uploadId, String sha256, long size) {
        return new UploadStatus(UploadStatus.STORED, sha256, size, uploadId, size, null, null);
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
