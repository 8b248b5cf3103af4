package io.podsync.storage.jdbc;

import io.podsync.storage.SettingRepository;
import java.util.Optional;

final class JdbcSettingRepository implements SettingRepository {
    private final Sql sql;

    JdbcSettingRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public Optional<String> get(String name) {
        return sql.one("SELECT value FROM settings WHERE name = ?", rs -> rs.getString(1), name);
    }

    @Override
    public String putIfAbsent(String name, String value) {
        // Two replicas starting at once both try; the first insert wins and both read it back.
        sql.update("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, value);
        return get(name).orElseThrow();
    }

    @Override
    public boolean replace(String name, String expected, String value) {
        return sql.update("UPDATE settings SET value = ? WHERE name = ? AND value = ?", value, name, expected) == 1;
    }
}
