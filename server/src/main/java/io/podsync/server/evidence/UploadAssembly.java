package io.podsync.server.evidence;

import io.podsync.server.http.ProblemException;
import io.podsync.storage.ArtifactRow;
import io.podsync.storage.UploadRow;
import io.podsync.storage.UploadSegmentRow;
import io.podsync.storage.artifact.ArtifactStore;
import io.podsync.storage.artifact.ArtifactStoreException;
import io.podsync.storage.jdbc.Database;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The assembly step of an upload: an artifact's bytes verified against its declared SHA-256 and size, committed to its
 * content address and recorded (which releases the events that waited for it); a mismatch commits nothing and fails the
 * upload. Also where an upload's staged chunks are deleted.
 */
final class UploadAssembly {
    private final Database db;
    private final ArtifactStore store;
    private final EvidenceGate gate;
    private final Clock clock;

    UploadAssembly(Database db, ArtifactStore store, EvidenceGate gate, Clock clock) {
        this.db = db;
        this.store = store;
        this.gate = gate;
        this.clock = clock;
    }

    /** Where the chunks of a many-chunk upload are put together before their hash is known. */
    static String assembledKey(String uploadId) {
        return "uploads/" + uploadId + "/assembled";
    }

    /** Where one chunk is staged: unique per attempt, so that concurrent attempts at one offset never collide. */
    static String chunkKey(String uploadId, long offset, String nonce) {
        return "uploads/" + uploadId + "/" + offset + "-" + nonce;
    }

    /**
     * The artifact in one chunk, the usual case: straight to its content address, verified as it streams (the store
     * refuses to complete a write whose bytes miss the declared hash), then recorded. No staging object, no copy.
     */
    void whole(UploadRow u, InputStream in) {
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
    }

    /** Verifies the whole artifact from its staged chunks, commits it, records it. */
    void complete(UploadRow u) {
        List<UploadSegmentRow> segments = db.read(tx -> tx.evidence().segments(u.uploadId()));
        List<String> staged = new ArrayList<>(
                segments.stream().map(UploadSegmentRow::stagingKey).toList());
        String source;
        String hash;
        if (segments.size() == 1) {
            source = segments.get(0).stagingKey();
            hash = segments.get(0).sha256();
        } else {
            source = assembledKey(u.uploadId());
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
    }

    private InputStream concatenation(List<UploadSegmentRow> segments) {
        List<InputStream> parts = new ArrayList<>();
        for (UploadSegmentRow s : segments) {
            parts.add(new LazyStream(() -> store.openStaging(s.stagingKey())));
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    /** The artifact is in the store: record it and release the events that waited for it. */
    private void recordStored(UploadRow u, long now) {
        db.write(tx -> {
            tx.evidence().insertArtifact(new ArtifactRow(u.sha256(), u.size(), u.mediaType(), u.kind(), now));
            tx.evidence().setUploadStatus(u.uploadId(), UploadState.COMPLETED.wire(), now);
            gate.artifactStored(tx, u.sha256(), now);
            return null;
        });
    }

    private ProblemException hashMismatch(UploadRow u, long now) {
        fail(u, now);
        return new ProblemException(
                422,
                "hash_mismatch",
                "Hash mismatch",
                "the uploaded bytes do not have the declared SHA-256; nothing was stored",
                "sha256",
                null);
    }

    /** The upload's bytes are not what was declared: it is failed for good. */
    void fail(UploadRow u, long now) {
        db.write(tx -> {
            tx.evidence().setUploadStatus(u.uploadId(), UploadState.FAILED.wire(), now);
            return null;
        });
    }

    /** A store write that failed: retryable when the store is down, else the chunk ended before its length. */
    static RuntimeException cutShort(ArtifactStoreException e) {
        if (e.isTransient()) {
            return e;
        }
        return ProblemException.badRequest(
                "chunk_incomplete",
                "Content-Length",
                "the chunk ended before its Content-Length; it was discarded, send it again");
    }

    /** Deletes an unfinished upload: its staged chunks first, then its rows. */
    void discard(UploadRow u) {
        List<String> keys = new ArrayList<>(db.read(tx -> tx.evidence().segments(u.uploadId())).stream()
                .map(UploadSegmentRow::stagingKey)
                .toList());
        keys.add(assembledKey(u.uploadId()));
        store.deleteStaging(keys);
        db.write(tx -> {
            tx.evidence().deleteUpload(u.uploadId());
            return null;
        });
    }
}
