package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link PullAndFencingTest} on PostgreSQL: the feed's two tables, paging and fencing on the other engine. */
class PostgresPullAndFencingTest extends PullAndFencingTest {
    @BeforeAll
    static void start() {
        startOn(Postgres.freshDatabase());
    }
}
