package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link ConvergencePropertyTest} on PostgreSQL: the same stop states, verdicts and exceptions whatever the arrival order, on the other engine. */
class PostgresConvergencePropertyTest extends ConvergencePropertyTest {
    @BeforeAll
    static void start() throws Exception {
        startOn(Postgres.freshDatabase());
    }
}
