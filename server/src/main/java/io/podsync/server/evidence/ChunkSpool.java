package io.podsync.server.evidence;

import io.podsync.protocol.UploadStatus;
import io.podsync.server.http.ProblemException;
import io.podsync.storage.FileModes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * Chunks without {@code Content-Length} ({@code Transfer-Encoding: chunked}, as tus-java-client sends): spooled to an
 * owner-only file under the data directory (not the system's temporary directory, often a small tmpfs other users
 * share), at most as many bytes as the upload has left and a chunk may have, then taken as a chunk of that length. At
 * most {@link #MAX_SPOOLS} at once, so that the disk holds at most that many chunks; more, or a disk that refuses the
 * bytes, is 503 (send again later). A body cut off is discarded, as any other.
 */
final class ChunkSpool {
    /** Chunks without Content-Length spooled at once; each holds at most {@code max-chunk-bytes} on disk. */
    static final int MAX_SPOOLS = 8;

    private static final System.Logger LOG = System.getLogger(ChunkSpool.class.getName());

    /** What takes the spooled chunk, now of known length. */
    interface Taker {
        UploadStatus take(long length, InputStream in);
    }

    private final Path dir;
    private final Semaphore spools = new Semaphore(MAX_SPOOLS);

    ChunkSpool(Path dir) {
        this.dir = dir;
        clear(dir);
    }

    /** Chunks a crash left in the spool are of requests that got no answer: their clients send them again. */
    private static void clear(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var parts = Files.list(dir)) {
            for (Path p : (Iterable<Path>) parts::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clear the upload spool " + dir + ": " + e);
        }
    }

    /**
     * Spools at most {@code room} bytes of {@code body} and hands them to {@code taker}.
     *
     * @param declaredSize and {@code maxChunkBytes}: named in the refusal of a chunk longer than {@code room}
     */
    UploadStatus spool(InputStream body, long room, long declaredSize, int maxChunkBytes, Taker taker) {
        if (!spools.tryAcquire()) {
            throw ProblemException.unavailable(
                    "upload_busy", "too many chunks without Content-Length arrive at once; send this one again");
        }
        Path spool = null;
        try {
            spool = Files.createTempFile(FileModes.privateDirectory(dir, "the upload spool"), "chunk-", ".part");
            long length = 0;
            try (OutputStream out = Files.newOutputStream(spool)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                // one byte past the room tells a chunk that is too long
                while (length <= room && (n = readSome(body, buffer, room + 1 - length)) > 0) {
                    out.write(buffer, 0, n);
                    length += n;
                }
            }
            if (length > room) {
                throw ProblemException.tooLarge(
                        "chunk_beyond_size",
                        "Content-Length",
                        "the chunk goes past the declared size " + declaredSize + " or the chunk limit "
                                + maxChunkBytes);
            }
            try (InputStream in = Files.newInputStream(spool)) {
                return taker.take(length, in);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "spooling a chunk under " + dir + " failed: " + e);
            throw ProblemException.unavailable(
                    "upload_spool_failed", "the server could not hold the chunk; it was discarded, send it again");
        } finally {
            spools.release();
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    // removed at the next start
                }
            }
        }
    }

    /** Reads up to {@code most} bytes; a body cut off is the client's failure (400), not the disk's. */
    private static int readSome(InputStream body, byte[] buffer, long most) {
        try {
            return body.read(buffer, 0, (int) Math.min(buffer.length, most));
        } catch (IOException e) {
            throw ProblemException.badRequest(
                    "chunk_incomplete", null, "the chunk was cut off; it was discarded, send it again");
        }
    }
}
