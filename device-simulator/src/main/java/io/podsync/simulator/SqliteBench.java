package io.podsync.simulator;

import io.podsync.protocol.client.IdempotencyKeys;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.UUID;
import org.sqlite.SQLiteConfig;

/**
 * The raw SQLite batched-insert rate of this machine, with the settings of the server's single writer (those of
 * {@code io.podsync.storage.Database}: WAL, synchronous=NORMAL, BEGIN IMMEDIATE, a 256 MiB WAL before the writer
 * checkpoints, 16 MiB page cache, a 256 MiB memory map, temporary tables in memory, no generated keys; the simulator
 * may not depend on the storage module, so they are repeated here) and a row shaped like an event-log row: the ceiling
 * the push path is measured against. It has one index (the primary key) where the server's event log has several, so
 * the server cannot reach it.
 */
final class SqliteBench {
    static final String HELP = """
            bench-sqlite: measure raw SQLite batched inserts on this machine

              --rows N            rows to insert (default 300000)
              --batch N           rows per transaction (default 100)
              --keys K            sequential (time-ordered, like UUIDv7) or random (UUIDv4) keys (default sequential)
            """;

    private SqliteBench() {}

    static int run(Args a, PrintStream out) throws Exception {
        int rows = a.integer("rows", 300_000, 1000, 100_000_000);
        int batch = a.integer("batch", 100, 1, 100_000);
        String keys = a.string("keys", "sequential");
        if (!keys.equals("sequential") && !keys.equals("random")) {
            throw new IllegalArgumentException("--keys is sequential or random");
        }
        boolean random = keys.equals("random");
        a.rejectUnknown();
        Path dir = Files.createTempDirectory("podsync-sqlite-bench");
        Path file = dir.resolve("bench.db");
        SQLiteConfig settings = new SQLiteConfig();
        settings.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, "65536");
        settings.setJournalMode(SQLiteConfig.JournalMode.WAL);
        settings.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        settings.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        settings.setCacheSize(-16_384);
        settings.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, String.valueOf(256L * 1024 * 1024));
        settings.setTempStore(SQLiteConfig.TempStore.MEMORY);
        settings.setGetGeneratedKeys(false);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, settings.toProperties())) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE events (device_id VARCHAR(128), idempotency_key VARCHAR(128), seq BIGINT,"
                        + " stop_id VARCHAR(128), type VARCHAR(32), captured_at BIGINT, received_at BIGINT,"
                        + " payload_json TEXT, PRIMARY KEY (device_id, idempotency_key))");
            }
            c.setAutoCommit(false);
            String payload = "{\"type\":\"note\",\"payload\":{\"note\":\"" + "x".repeat(120) + "\"}}";
            long start = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    ps.setString(1, "dev-bench");
                    ps.setString(2, random ? UUID.randomUUID().toString() : IdempotencyKeys.newKey());
                    ps.setLong(3, i);
                    ps.setString(4, "stop-" + (i % 500));
                    ps.setString(5, "NOTE");
                    ps.setLong(6, i);
                    ps.setLong(7, i);
                    ps.setString(8, payload);
                    ps.addBatch();
                    if ((i + 1) % batch == 0) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(
                    "sqlite rows=%d batch=%d keys=%s seconds=%.2f rows/s=%.0f%n",
                    rows, batch, keys, seconds, rows / seconds);
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(dir.resolve("bench.db" + suffix));
            }
            Files.deleteIfExists(dir);
        }
        return 0;
    }
}
