package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link TraceTest} on PostgreSQL: the same history, in the same order, from the other engine. */
class PostgresTraceTest extends TraceTest {
    @BeforeAll
    static void start() throws Exception {
        startOn(Postgres.freshDatabase());
    }
}
