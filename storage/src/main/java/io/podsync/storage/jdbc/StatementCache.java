package io.podsync.storage.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepared statements kept for one long-lived connection (SQLite's single writer), least recently used out. SQLite
 * prepares a statement by compiling it, which on a hot write path cost more than many of the writes themselves.
 * Not thread-safe: it belongs to the writer thread.
 */
public final class StatementCache implements AutoCloseable {
    private static final int CAPACITY = 256;

    private final LinkedHashMap<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() > CAPACITY) {
                closeQuietly(eldest.getValue());
                return true;
            }
            return false;
        }
    };

    PreparedStatement get(Connection c, String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null || ps.isClosed()) {
            ps = c.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** Runs a statement without parameters or results (a savepoint), compiled once. */
    public void execute(Connection c, String sql) throws SQLException {
        get(c, sql).execute();
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException ignored) {
            // closing a cached statement that fails is nothing to act on
        }
    }

    @Override
    public void close() {
        statements.values().forEach(StatementCache::closeQuietly);
        statements.clear();
    }
}
