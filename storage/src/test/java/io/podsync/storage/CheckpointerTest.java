package io.podsync.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.storage.jdbc.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointerTest {
    @TempDir
    Path dir;

    /**
     * The writer checkpoints by itself only past 256 MiB of WAL, so the ~8 MB written here reach the database file
     * only if the checkpointer thread copies them there.
     */
    @Test
    void theLogReachesTheDatabaseFileWithoutTheWriterCheckpointing() throws Exception {
        Path file = dir.resolve("podsync.db");
        try (Database db = Database.open(DatabaseConfig.sqlite(file))) {
            long before = Files.size(file);
            String value = "x".repeat(4_000);
            for (int batch = 0; batch < 20; batch++) {
                int b = batch;
                db.write(tx -> {
                    for (int i = 0; i < 100; i++) {
                        tx.settings().putIfAbsent("k-" + b + "-" + i, value);
                    }
                    return null;
                });
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.size(file) < before + 6_000_000 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(
                    Files.size(file) >= before + 6_000_000,
                    "database file is " + Files.size(file) + " bytes; WAL "
                            + Files.size(dir.resolve("podsync.db-wal")));
        }
    }
}
