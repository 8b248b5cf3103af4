package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link JwtAttackTest} on PostgreSQL, where the signing keys and revocations are rows of another database. */
class PostgresJwtAttackTest extends JwtAttackTest {
    @BeforeAll
    static void start() {
        startOn(Postgres.freshDatabase());
    }
}
