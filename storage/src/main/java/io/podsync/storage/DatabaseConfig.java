package io.podsync.storage;

import java.time.Duration;

/**
 * Where the database is, and how long anyone waits for it.
 *
 * @param url a JDBC url: {@code jdbc:sqlite:/path/podsync.db} (default) or {@code jdbc:postgresql://host/db}
 * @param poolSize connections for PostgreSQL, readers for SQLite (SQLite always has a single writer)
 * @param timeout the longest a caller waits for the database: for a connection, and for every try of a write
 *     together (its retries stop at this deadline); then the call fails with a transient {@link StorageException}
 * @param statementTimeout PostgreSQL only: the longest one statement may wait for the server's answer (the driver's
 *     socket timeout), so that a server that stops answering without closing its connections (a frozen host, a
 *     network partition) fails the call instead of holding it; migrations are not bounded by it
 */
public record DatabaseConfig(
        String url, String user, String password, int poolSize, Duration timeout, Duration statementTimeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    public DatabaseConfig {
        if (url == null || !(url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("db.url must start with jdbc:sqlite: or jdbc:postgresql:, got " + url);
        }
        if (poolSize < 1 || poolSize > 200) {
            throw new IllegalArgumentException("db.pool-size must be between 1 and 200, got " + poolSize);
        }
        // Hikari's validation timeout must be at least 250 ms and shorter than the connection timeout.
        if (timeout.toMillis() < 500 || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("db.timeout must be between PT0.5S and PT1M, got " + timeout);
        }
        if (statementTimeout.toSeconds() < 1 || statementTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(
                    "db.statement-timeout must be between PT1S and PT1H, got " + statementTimeout);
        }
    }

    public DatabaseConfig(String url, String user, String password, int poolSize) {
        this(url, user, password, poolSize, DEFAULT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT);
    }

    public static DatabaseConfig sqlite(java.nio.file.Path file) {
        return new DatabaseConfig("jdbc:sqlite:" + file.toAbsolutePath(), null, null, 4);
    }

    /** The url without credentials, for logs. */
    @Override
    public String toString() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
