package io.podsync.storage.jdbc;

import io.podsync.storage.SigningKeyRepository;
import io.podsync.storage.SigningKeyRow;
import java.util.List;

final class JdbcSigningKeyRepository implements SigningKeyRepository {
    private final Sql sql;

    JdbcSigningKeyRepository(Sql sql) {
        this.sql = sql;
    }

    @Override
    public List<SigningKeyRow> all() {
        return sql.list(
                "SELECT * FROM signing_keys ORDER BY created_at, kid",
                rs -> new SigningKeyRow(
                        rs.getString("kid"),
                        rs.getString("jwk_json"),
                        rs.getLong("created_at"),
                        Sql.nullableLong(rs, "retired_at")));
    }

    @Override
    public void insert(SigningKeyRow key) {
        sql.update(
                "INSERT INTO signing_keys (kid, jwk_json, created_at, retired_at) VALUES (?, ?, ?, ?)",
                key.kid(),
                key.jwkJson(),
                key.createdAt(),
                key.retiredAt());
    }

    @Override
    public boolean replaceJwk(String kid, String expected, String replacement) {
        return sql.update(
                        "UPDATE signing_keys SET jwk_json = ? WHERE kid = ? AND jwk_json = ?",
                        replacement,
                        kid,
                        expected)
                == 1;
    }

    @Override
    public void retire(String kid, long at) {
        sql.update("UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL", at, kid);
    }
}
