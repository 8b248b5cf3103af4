package io.podsync.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for the test JVM (embedded: its server binaries come in a jar), started on first use and stopped
 * with the JVM; each caller gets a database of its own.
 */
final class Postgres {
    private static EmbeddedPostgres server;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private Postgres() {}

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                EmbeddedPostgres started = EmbeddedPostgres.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.close();
                    } catch (IOException ignored) {
                        // the JVM is going away anyway
                    }
                }));
                server = started;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /**
     * A PostgreSQL server of the caller's own, on {@code port} with its files in {@code dataDir}, for a test that
     * stops it and starts it again (on the same port and files: the data survive, as in a real restart).
     */
    static EmbeddedPostgres own(Path dataDir, int port) {
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key-encryption key every replica of a test database is given (PostgreSQL has no default). */
    static final String KEK = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=";

    /** Server settings for a fresh, empty database: {@code podsync.db.*} and the key-encryption key. */
    static Map<String, String> freshDatabase() {
        String name = "podsync_" + DATABASES.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return Map.of(
                "podsync.db.url",
                server().getJdbcUrl("postgres", name),
                "podsync.db.user",
                "postgres",
                "podsync.db.password",
                "postgres",
                "podsync.keys.encryption-key",
                KEK);
    }
}
