package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link EvidenceTest} on PostgreSQL: uploads, the evidence gate and released events on the other engine. */
class PostgresEvidenceTest extends EvidenceTest {
    @BeforeAll
    static void start() {
        startOn(Postgres.freshDatabase());
    }
}
