package io.podsync.server;

/** {@link JwtAttackTest} on PostgreSQL, where the signing keys and revocations are rows of another database. */
@OnPostgres
class PostgresJwtAttackTest extends JwtAttackTest {}
