package io.podsync.storage.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A few helpers over JDBC so the repositories read as SQL, not as plumbing. */
final class Sql {
    /** Maps the current row of a result set. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Binds one batch entry. */
    @FunctionalInterface
    interface Binder<T> {
        void bind(PreparedStatement ps, T item) throws SQLException;
    }

    private final Connection c;
    private final StatementCache cache;

    Sql(Connection c, StatementCache cache) {
        this.c = c;
        this.cache = cache;
    }

    /** A statement for this SQL: from the cache when there is one (then it must not be closed), new otherwise. */
    private PreparedStatement prepare(String sql) throws SQLException {
        return cache == null ? c.prepareStatement(sql) : cache.get(c, sql);
    }

    private void done(PreparedStatement ps) throws SQLException {
        if (cache == null) {
            ps.close();
        } else {
            ps.clearParameters();
        }
    }

    int update(String sql, Object... params) {
        try {
            PreparedStatement ps = prepare(sql);
            try {
                bind(ps, params);
                return ps.executeUpdate();
            } finally {
                done(ps);
            }
        } catch (SQLException e) {
            throw JdbcTx.wrap(sql, e);
        }
    }

    <T> void batch(String sql, Collection<T> items, Binder<T> binder) {
        batchCounts(sql, items, binder);
    }

    /** Runs the statement once per item; returns the rows each run changed. */
    <T> int[] batchCounts(String sql, Collection<T> items, Binder<T> binder) {
        if (items.isEmpty()) {
            return new int[0];
        }
        try {
            PreparedStatement ps = prepare(sql);
            try {
                for (T item : items) {
                    binder.bind(ps, item);
                    ps.addBatch();
                }
                return ps.executeBatch();
            } finally {
                done(ps);
            }
        } catch (SQLException e) {
            throw JdbcTx.wrap(sql, e);
        }
    }

    <T> List<T> list(String sql, RowMapper<T> mapper, Object... params) {
        try {
            PreparedStatement ps = prepare(sql);
            try {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) { // to the end: an open result set keeps SQLite from checkpointing
                        out.add(mapper.map(rs));
                    }
                    return out;
                }
            } finally {
                done(ps);
            }
        } catch (SQLException e) {
            throw JdbcTx.wrap(sql, e);
        }
    }

    <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = list(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** {@code ?, ?, ?} for an IN list. */
    static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            // The typed setters first: sqlite-jdbc's setObject tries a chain of types, per parameter of every row.
            if (p == null) {
                ps.setNull(i + 1, Types.NULL);
            } else if (p instanceof String t) {
                ps.setString(i + 1, t);
            } else if (p instanceof Long l) {
                ps.setLong(i + 1, l);
            } else if (p instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else if (p instanceof Boolean b) {
                ps.setInt(i + 1, b ? 1 : 0);
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    /** IN lists are chunked so no statement exceeds the engines' parameter limits. */
    static <T> List<List<T>> chunks(Collection<T> items, int size) {
        List<List<T>> out = new ArrayList<>();
        List<T> current = new ArrayList<>(Math.min(size, items.size()));
        for (T item : items) {
            current.add(item);
            if (current.size() == size) {
                out.add(current);
                current = new ArrayList<>(size);
            }
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }
}
