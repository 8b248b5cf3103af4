package io.podsync.storage.artifact;

import io.podsync.storage.FileModes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * The embedded default: artifacts as files under one root directory, for a single server without object storage.
 *
 * <p>Layout, relative to the root: committed artifacts at {@link ArtifactStore#artifactKey} ({@code
 * sha256/ab/cd/abcd...}), staging objects at {@link ArtifactStore#stagingKey} ({@code staging/<key>}). Files are
 * written to a temporary {@code .tmp-*} file in the target's directory, forced to disk, and renamed into place, so a
 * reader (or a restart after a crash) never sees a half-written file under a real name. Temporary files left behind
 * by a crash are harmless and can be deleted.
 *
 * <p>Several server processes may share the root (for example over NFS with atomic rename); concurrent commits of the
 * same artifact are safe because the bytes are the same whichever rename wins.
 */
public final class LocalArtifactStore implements ArtifactStore {
    private static final String TMP_PREFIX = ".tmp-";

    private final Path root;
    private final Path stagingRoot;

    /** Creates the root directory if needed; {@link ArtifactStoreException} when that fails. */
    public LocalArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.stagingRoot = this.root.resolve(ArtifactStore.stagingKey("x")).getParent();
        try {
            FileModes.privateDirectory(this.root, "the artifact directory (podsync.artifacts.local-dir)");
        } catch (java.io.UncheckedIOException e) {
            throw ioFailure("cannot create artifact directory " + this.root, e.getCause());
        }
    }

    @Override
    public String putStaging(String key, InputStream in, long size) {
        Path target = stagingPath(key);
        var metered = new MeteredInputStream(in, size);
        Path tmp = null;
        try {
            tmp = newTempFileIn(target.getParent());
            try {
                writeDurably(tmp, metered);
            } catch (IOException e) {
                if (metered.wasCutShort()) {
                    throw metered.cutShort(key, e);
                }
                throw e;
            }
            if (metered.wasCutShort() || metered.count() != size) {
                throw metered.cutShort(key, null);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            syncDirectory(target.getParent());
            return metered.sha256Hex();
        } catch (IOException e) {
            throw ioFailure("cannot write staging key " + key, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public InputStream openStaging(String key) {
        return openFile(stagingPath(key), "staging key " + key);
    }

    @Override
    public void deleteStaging(Collection<String> keys) {
        for (String key : keys) {
            Path path = stagingPath(key);
            try {
                Files.deleteIfExists(path);
                pruneEmptyParents(path.getParent());
            } catch (IOException e) {
                throw ioFailure("cannot delete staging key " + key, e);
            }
        }
    }

    @Override
    public boolean putVerified(String sha256, InputStream in, long size, String mediaType) {
        ArtifactStore.requireBytes(size);
        Path target = artifactPath(sha256);
        var verifying = new MeteredInputStream(in, size, sha256);
        Path tmp = null;
        try {
            tmp = newTempFileIn(target.getParent());
            try {
                writeDurably(tmp, verifying);
            } catch (IOException e) {
                if (verifying.wasMismatched()) {
                    return false;
                }
                if (verifying.wasCutShort()) {
                    throw verifying.cutShort(sha256, e);
                }
                throw e;
            }
            if (verifying.wasCutShort() || verifying.count() != size) {
                throw verifying.cutShort(sha256, null);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.exists(target)) { // another writer won, with the same bytes
                    throw e;
                }
            }
            tmp = null;
            syncDirectory(target.getParent());
            return true;
        } catch (IOException e) {
            throw ioFailure("cannot write artifact " + sha256, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public void commit(String stagingKey, String sha256, String mediaType) {
        Path target = artifactPath(sha256);
        Path source = stagingPath(stagingKey);
        if (Files.exists(target)) {
            return;
        }
        Path tmp = null;
        try {
            tmp = newTempFileIn(target.getParent());
            // A copy, not a move: the interface leaves the staging object for the caller to delete.
            try (InputStream in = Files.newInputStream(source)) {
                writeDurably(tmp, in);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                // Some file systems refuse to rename over an existing file: another committer won, with the
                // same bytes. Anything else is a real failure.
                if (!Files.exists(target)) {
                    throw e;
                }
            }
            tmp = null;
            syncDirectory(target.getParent());
        } catch (NoSuchFileException e) {
            if (Files.exists(target)) {
                return;
            }
            throw new ArtifactStoreException(
                    "cannot commit " + sha256 + ": staging key " + stagingKey + " does not exist", e, false, true);
        } catch (IOException e) {
            throw ioFailure("cannot commit " + sha256, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public boolean exists(String sha256) {
        return Files.isRegularFile(artifactPath(sha256));
    }

    @Override
    public InputStream open(String sha256) {
        return openFile(artifactPath(sha256), "artifact " + sha256);
    }

    /** Files have no URLs: callers stream through the server. */
    @Override
    public Optional<URI> presignedGet(String sha256, Duration ttl) {
        Keys.requireSha256(sha256);
        return Optional.empty();
    }

    @Override
    public boolean isHealthy() {
        return Files.isDirectory(root) && Files.isWritable(root);
    }

    @Override
    public String toString() {
        return "LocalArtifactStore[" + root + "]";
    }

    private Path artifactPath(String sha256) {
        return resolve(ArtifactStore.artifactKey(Keys.requireSha256(sha256)));
    }

    private Path stagingPath(String key) {
        return resolve(ArtifactStore.stagingKey(Keys.requireStagingKey(key)));
    }

    // Keys were validated already; checking the resolved path as well costs nothing and guards against a
    // future change to the validation.
    private Path resolve(String relative) {
        Path path = root.resolve(relative).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new ArtifactStoreException("key escapes the artifact directory: " + relative, null, false, false);
        }
        return path;
    }

    private static InputStream openFile(Path path, String what) {
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new ArtifactStoreException(what + " does not exist", e, false, true);
        } catch (IOException e) {
            throw ioFailure("cannot read " + what, e);
        }
    }

    private static void writeDurably(Path file, InputStream in) throws IOException {
        try (FileChannel channel =
                        FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream out = Channels.newOutputStream(channel)) {
            in.transferTo(out);
            // Without this a crash soon after the rename can leave an empty file under the final name (ext4,
            // XFS), and the server will have acknowledged evidence it no longer has.
            channel.force(true);
        }
    }

    private Path newTempFileIn(Path directory) throws IOException {
        // deleteStaging prunes empty directories; if it removes this one (or a parent) meanwhile, try again.
        for (int attempt = 1; ; attempt++) {
            try {
                if (!Files.isDirectory(directory)) {
                    FileModes.privateDirectory(directory, "an artifact directory");
                }
                Path tmp = Files.createTempFile(directory, TMP_PREFIX, null);
                FileModes.restrict(tmp); // 0600 already on POSIX; said explicitly, as everything here is owner-only
                return tmp;
            } catch (NoSuchFileException e) {
                if (attempt == 3) {
                    throw e;
                }
            } catch (java.io.UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException) || attempt == 3) {
                    throw e.getCause();
                }
            }
        }
    }

    // Upload ids nest staging keys in directories; without pruning every finished upload leaves one behind.
    // A directory holding another writer's temporary file is not empty, so this cannot pull it from under them.
    private void pruneEmptyParents(Path directory) throws IOException {
        for (Path dir = directory; dir != null && dir.startsWith(stagingRoot) && !dir.equals(stagingRoot); ) {
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                return;
            }
            dir = dir.getParent();
        }
    }

    /** Makes a rename durable; best effort because not every platform can open a directory. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Windows, some network file systems: the rename itself is still atomic.
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // A stray temporary file is harmless.
            }
        }
    }

    // Disk full, permissions, a network mount gone: the store is failing, the same call may work later.
    private static ArtifactStoreException ioFailure(String message, IOException e) {
        return new ArtifactStoreException(message + ": " + e, e, true, false);
    }
}
