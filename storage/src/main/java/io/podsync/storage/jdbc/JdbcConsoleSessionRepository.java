package io.podsync.storage.jdbc;

import io.podsync.storage.ConsoleSessionRepository;
import io.podsync.storage.ConsoleSessionRow;
import java.util.Optional;

final class JdbcConsoleSessionRepository implements ConsoleSessionRepository {
    private final Sql sql;

    JdbcConsoleSessionRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public void insert(ConsoleSessionRow s) {
        sql.update(
                "INSERT INTO console_sessions (session_hash, client_id, csrf_token, created_at, last_seen_at)"
                        + " VALUES (?, ?, ?, ?, ?)",
                s.sessionHash(),
                s.clientId(),
                s.csrfToken(),
                s.createdAt(),
                s.lastSeenAt());
    }

    @Override
    public Optional<ConsoleSessionRow> find(String sessionHash) {
        return sql.one(
                "SELECT * FROM console_sessions WHERE session_hash = ?",
                rs -> new ConsoleSessionRow(
                        rs.getString("session_hash"),
                        rs.getString("client_id"),
                        rs.getString("csrf_token"),
                        rs.getLong("created_at"),
                        rs.getLong("last_seen_at")),
                sessionHash);
    }

    @Override
    public void touch(String sessionHash, long at) {
        sql.update("UPDATE console_sessions SET last_seen_at = ? WHERE session_hash = ?", at, sessionHash);
    }

    @Override
    public void delete(String sessionHash) {
        sql.update("DELETE FROM console_sessions WHERE session_hash = ?", sessionHash);
    }

    @Override
    public int deleteExpired(long idleBefore, long createdBefore) {
        return sql.update(
                "DELETE FROM console_sessions WHERE last_seen_at < ? OR created_at < ?", idleBefore, createdBefore);
    }
}
