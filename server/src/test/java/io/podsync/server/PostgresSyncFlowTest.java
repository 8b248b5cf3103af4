package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link SyncFlowTest} on PostgreSQL: release, push and pull end to end on the other engine. */
class PostgresSyncFlowTest extends SyncFlowTest {
    @BeforeAll
    static void start() {
        startOn(Postgres.freshDatabase());
    }
}
