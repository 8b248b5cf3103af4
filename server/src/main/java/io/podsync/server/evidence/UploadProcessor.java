package io.podsync.server.evidence;

import io.podsync.protocol.UploadRequest;
import io.podsync.protocol.UploadStatus;
import io.podsync.server.auth.Principal;
import io.podsync.server.auth.Secrets;
import io.podsync.server.http.ProblemException;
import io.podsync.server.observe.Telemetry;
import io.podsync.storage.UploadRow;
import io.podsync.storage.UploadSegmentRow;
import io.podsync.storage.artifact.ArtifactStore;
import io.podsync.storage.artifact.ArtifactStoreException;
import io.podsync.storage.jdbc.Database;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Resumable uploads with tus semantics: declare, then send chunks at offsets. Each chunk is staged in the artifact
 * store as it arrives (so any replica can continue an upload), and counts only when it arrived whole. When the last
 * byte arrives the whole artifact is verified against the declared SHA-256 and size before it is committed to its
 * content address; a mismatch commits nothing. A chunk that is the whole artifact skips staging: it streams to its
 * content address, and the store completes that write only if the bytes have the declared hash.
 *
 * <p>The steps: declaration and header checks ({@link UploadChecks}), chunks without a length ({@link ChunkSpool}),
 * verification and commit ({@link UploadAssembly}), and the sweep of abandoned uploads.
 */
public final class UploadProcessor {
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
    private final Clock clock;
    private final Settings settings;
    private final ChunkSpool spool;
    private final UploadAssembly assembly;

    public UploadProcessor(
            Database db, ArtifactStore store, EvidenceGate gate, Clock clock, Settings settings, Path spoolDir) {
        this.db = db;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.spool = new ChunkSpool(spoolDir);
        this.assembly = new UploadAssembly(db, store, gate, clock);
    }

    /** The largest artifact, as tus's {@code Tus-Max-Size}. */
    public long maxBytes() {
        return settings.maxBytes();
    }

    public UploadStatus declare(Principal device, UploadRequest r) {
        String mediaType = UploadChecks.declaration(r, settings);
        long now = clock.millis();
        return db.write(tx -> {
            if (tx.evidence().findArtifact(r.sha256()).isPresent()) {
                // Someone else finished it: the device's own open upload of it no longer counts against its limit,
                // and becomes the done upload this answer points to. Without one, a done upload is recorded (one per
                // device and artifact), so that a tus client has an upload URL whose offset says "done" and sends
                // nothing more. Either is KNOWN, not COMPLETED: this device sent no verified bytes.
                UploadRow done = tx.evidence()
                        .openUploadOf(device.deviceId(), r.sha256())
                        .or(() -> tx.evidence().doneUploadOf(device.deviceId(), r.sha256()))
                        .orElse(null);
                if (done != null) {
                    if (state(done) == UploadState.OPEN) {
                        tx.evidence().setUploadStatus(done.uploadId(), UploadState.KNOWN.wire(), now);
                    }
                    return stored(done.uploadId(), r.sha256(), r.size());
                }
                String id = newId();
                tx.evidence().insertUpload(row(id, device, r, mediaType, r.size(), UploadState.KNOWN, now));
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
            UploadRow u = row(newId(), device, r, mediaType, 0, UploadState.OPEN, now);
            tx.evidence().insertUpload(u);
            return status(u);
        });
    }

    private static String newId() {
        return "up-" + Secrets.random(16);
    }

    private UploadRow row(
            String id, Principal device, UploadRequest r, String mediaType, long offset, UploadState state, long now) {
        return new UploadRow(
                id,
                device.deviceId(),
                device.driverId(),
                r.sha256(),
                r.size(),
                mediaType,
                r.kind().wire(),
                offset,
                state.wire(),
                now,
                now,
                now + settings.expireAfter().toMillis());
    }

    /** Where an upload stands; finishes one whose bytes all arrived but whose commit failed earlier. */
    public UploadStatus status(Principal device, String uploadId) {
        UploadRow u = find(device, uploadId);
        if (state(u).isDone()) {
            return stored(u.uploadId(), u.sha256(), u.size());
        }
        if (state(u) == UploadState.OPEN && u.offset() == u.size()) {
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
        if (state(u).isDone()) {
            return readOff(u, offset, body);
        }
        UploadChecks.offset(u, offset);
        if (length < 0) {
            long room = Math.min(settings.maxChunkBytes(), u.size() - offset);
            return spool.spool(
                    body,
                    room,
                    u.size(),
                    settings.maxChunkBytes(),
                    (n, in) -> chunk(device, u.uploadId(), offset, n, checksum, in));
        }
        UploadChecks.length(u, offset, length, settings.maxChunkBytes());
        if (length == 0) {
            return u.offset() == u.size() ? complete(u) : status(u);
        }
        InputStream in = offset == 0 ? checkMediaType(u, body) : body;
        if (offset == 0
                && length == u.size()
                && (checksum == null || UploadChecks.checksumMatches(checksum, u.sha256()))) {
            assembly.whole(u, in);
            return stored(u.uploadId(), u.sha256(), u.size());
        }
        if (!stage(u, offset, length, checksum, in)) { // a concurrent chunk for the same offset won
            throw UploadChecks.offsetMismatch(find(device, uploadId).offset());
        }
        UploadRow now = find(device, uploadId);
        return now.offset() == now.size() ? complete(now) : status(now);
    }

    /** Stages one chunk and advances the upload past it; false (nothing staged) when another chunk took the offset. */
    private boolean stage(UploadRow u, long offset, long length, String checksum, InputStream in) {
        String key = UploadAssembly.chunkKey(u.uploadId(), offset, Secrets.random(6));
        String chunkHash;
        try {
            chunkHash = store.putStaging(key, in, length);
        } catch (ArtifactStoreException e) {
            throw UploadAssembly.cutShort(e);
        }
        if (checksum != null && !UploadChecks.checksumMatches(checksum, chunkHash)) {
            store.deleteStaging(List.of(key));
            throw UploadChecks.checksumMismatch();
        }
        long now = clock.millis();
        boolean advanced = db.write(tx -> {
            if (!tx.evidence().advanceUpload(u.uploadId(), offset, offset + length, now)) {
                return false;
            }
            tx.evidence().addSegment(new UploadSegmentRow(u.uploadId(), offset, length, key, chunkHash));
            return true;
        });
        if (!advanced) {
            store.deleteStaging(List.of(key));
        }
        return advanced;
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

    private InputStream checkMediaType(UploadRow u, InputStream body) {
        BufferedInputStream in = new BufferedInputStream(body, 64 * 1024);
        try {
            in.mark(MediaTypes.HEAD_BYTES);
            byte[] head = in.readNBytes(MediaTypes.HEAD_BYTES);
            in.reset();
            if (!MediaTypes.agree(u.mediaType(), MediaTypes.sniff(head))) {
                assembly.fail(u, clock.millis());
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

    /** Verifies the whole artifact, commits it, records it and releases the events that waited for it. */
    private UploadStatus complete(UploadRow u) {
        assembly.complete(u);
        return stored(u.uploadId(), u.sha256(), u.size());
    }

    /** Deletes uploads nobody finished in time, with their staged chunks. Returns how many. */
    public int sweepAbandoned() {
        long now = clock.millis();
        int n = 0;
        for (UploadRow u : db.read(tx -> tx.evidence().expiredUploads(now, 100))) {
            assembly.discard(u);
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
        if (!state(u).isDone()) {
            assembly.discard(u);
        }
    }

    private UploadRow find(Principal device, String uploadId) {
        UploadRow u = uploadId == null || uploadId.length() > 64
                ? null
                : db.read(tx -> tx.evidence().findUpload(uploadId)).orElse(null);
        if (u == null || !u.deviceId().equals(device.deviceId())) {
            throw ProblemException.notFound("upload_not_found", "no upload " + uploadId + " of this device");
        }
        if (state(u) == UploadState.FAILED) {
            throw ProblemException.gone("upload_failed", "this upload failed; declare the artifact again");
        }
        if (!state(u).isDone() && u.expiresAt() < clock.millis()) {
            throw ProblemException.gone("upload_expired", "this upload was abandoned and expired; declare it again");
        }
        return u;
    }

    private static UploadState state(UploadRow u) {
        return UploadState.fromWire(u.status());
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
}
