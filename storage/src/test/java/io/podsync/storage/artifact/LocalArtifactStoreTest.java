package io.podsync.storage.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest extends ArtifactStoreContract {
    @TempDir
    Path tmp;

    Path root;

    @Override
    protected ArtifactStore newStore() {
        root = tmp.resolve("artifacts");
        return new LocalArtifactStore(root);
    }

    @Test
    void artifactsAndStagingLiveAtTheDocumentedPaths() throws IOException {
        byte[] bytes = randomBytes(1000, 20);
        String sha = store.putStaging("upload-1/00001", stream(bytes), bytes.length);
        store.commit("upload-1/00001", sha, MEDIA_TYPE);

        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("staging/upload-1/00001")));
        Path artifact = root.resolve("sha256")
                .resolve(sha.substring(0, 2))
                .resolve(sha.substring(2, 4))
                .resolve(sha);
        assertArrayEquals(bytes, Files.readAllBytes(artifact));
        assertEquals(List.of(), temporaryFiles(), "no temporary files are left behind");
    }

    @Test
    void aCutShortChunkLeavesNoTemporaryFile() throws IOException {
        assertThrows(ArtifactStoreException.class, () -> store.putStaging("u/0", stream(randomBytes(10, 21)), 11));
        assertEquals(List.of(), temporaryFiles());
        assertFalse(Files.exists(root.resolve("staging/u/0")));
    }

    @Test
    void traversalWritesNothingOutsideTheRoot() {
        assertThrows(ArtifactStoreException.class, () -> store.putStaging("../../x", stream(new byte[1]), 1));
        assertThrows(ArtifactStoreException.class, () -> store.putStaging("../x", stream(new byte[1]), 1));
        assertFalse(Files.exists(tmp.resolve("x")));
        assertFalse(Files.exists(root.resolve("x")));
    }

    @Test
    void deletingTheLastChunkOfAnUploadRemovesItsDirectory() {
        store.putStaging("upload-2/00001", stream(new byte[] {1}), 1);
        store.putStaging("upload-2/00002", stream(new byte[] {2}), 1);

        store.deleteStaging(List.of("upload-2/00001"));
        assertTrue(Files.isDirectory(root.resolve("staging/upload-2")), "still holds a chunk");

        store.deleteStaging(List.of("upload-2/00002"));
        assertFalse(Files.exists(root.resolve("staging/upload-2")));

        store.putStaging("upload-2/00003", stream(new byte[] {3}), 1);
        assertTrue(Files.exists(root.resolve("staging/upload-2/00003")), "a pruned directory comes back");
    }

    @Test
    void filesHaveNoPresignedUrls() {
        assertEquals(java.util.Optional.empty(), store.presignedGet(sha256(new byte[] {1}), Duration.ofMinutes(5)));
    }

    @Test
    void aMissingRootIsUnhealthy() throws IOException {
        Files.delete(root);
        assertFalse(store.isHealthy());
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".tmp-"))
                    .toList();
        }
    }
}
