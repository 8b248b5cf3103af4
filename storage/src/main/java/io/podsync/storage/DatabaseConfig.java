package io.podsync.storage;

/**
 * Where the database is.
 *
 * @param url a JDBC url: {@code jdbc:sqlite:/path/podsync.db} (default) or {@code jdbc:postgresql://host/db}
 * @param poolSize connections for PostgreSQL, readers for SQLite (SQLite always has a single writer)
 */
public record DatabaseConfig(String url, String user, String password, int poolSize) {
    public DatabaseConfig {
        if (url == null || !(url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("db.url must start with jdbc:sqlite: or jdbc:postgresql:, got " + url);
        }
        if (poolSize < 1 || poolSize > 200) {
            throw new IllegalArgumentException("db.pool-size must be between 1 and 200, got " + poolSize);
        }
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
