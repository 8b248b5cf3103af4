package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link OpsListsTest} on PostgreSQL: the same lists and refusals on the other engine. */
class PostgresOpsListsTest extends OpsListsTest {
    @BeforeAll
    static void start() {
        startOn(Postgres.freshDatabase());
    }
}
