package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link ValidationFlagsTest} on PostgreSQL: the flags and the exception queue on the other engine. */
class PostgresValidationFlagsTest extends ValidationFlagsTest {
    @BeforeAll
    static void start() {
        startOn(Postgres.freshDatabase());
    }
}
